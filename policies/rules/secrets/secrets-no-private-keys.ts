import type { PolicyRule } from "../../model";
import { scanStack } from "./scan";

const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
/** base64("-----BEGIN"), how a PEM block looks inside a Kubernetes secret or user data. */
const BASE64_PEM = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]+/;

function containsPrivateKey(text: string): boolean {
  if (PEM_PRIVATE_KEY.test(text)) return true;
  const encoded = BASE64_PEM.exec(text);
  return (
    encoded !== null && PEM_PRIVATE_KEY.test(Buffer.from(encoded[0], "base64").toString("latin1"))
  );
}

/** No private key (PEM, or PEM in base64) is written into the stack. */
export const secretsNoPrivateKeys: PolicyRule = {
  id: "secrets-no-private-keys",
  check: (stack) =>
    scanStack(
      stack,
      (leaf) =>
        typeof leaf.value === "string" && containsPrivateKey(leaf.value)
          ? "contains a private key"
          : undefined,
      "Keep the key in Secrets Manager or ACM and reference it; rotate the exposed key.",
    ),
};
