import type { PolicyRule } from "../../model";
import { scanStack } from "./scan";

const ACCESS_KEY_ID = /(?<![A-Z0-9])(AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9])/;

/** No AWS access key id appears anywhere in the stack: the secret key is usually next to it. */
export const secretsNoAwsAccessKeys: PolicyRule = {
  id: "secrets-no-aws-access-keys",
  check: (stack) =>
    scanStack(
      stack,
      (leaf) =>
        typeof leaf.value === "string" && ACCESS_KEY_ID.test(leaf.value)
          ? "contains an AWS access key id"
          : undefined,
      "Remove the key, deactivate it in IAM, and use roles (EKS Pod Identity, the deploying role) instead of access keys.",
    ),
};
