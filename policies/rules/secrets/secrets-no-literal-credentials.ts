import type { PolicyRule, ResourceRef } from "../../model";
import { isJsonObject } from "../../terraform/json";
import { isLiteral, scanStack, type Leaf } from "./scan";

/** Attribute (or variable, map key, env var) names that hold credentials. */
const SECRET_NAME =
  /(password|passwd|passphrase|secret|secret_string|secret_binary|token|api_?key|access_key|secret_key|private_key|credentials?)s?(_wo|_pem)?$/;
/** Names that match the pattern but hold settings, not secrets. */
const NOT_SECRET = new Set(["http_tokens"]);

const normalize = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, "_");
export const looksSecret = (name: string): boolean =>
  !NOT_SECRET.has(normalize(name)) && SECRET_NAME.test(normalize(name));

function detect(leaf: Leaf, owner: ResourceRef): string | undefined {
  if (!isLiteral(leaf.value)) return undefined;
  const { key, parent } = leaf;
  // variable "db_password" { default = "..." }
  if (key === "default" && owner.address.startsWith("variable.")) {
    return looksSecret(owner.address.slice("variable.".length))
      ? "is a literal default for a secret"
      : undefined;
  }
  // { name = "PGPASSWORD", value = "..." }: env vars, Helm `set` / `set_sensitive`, parameters.
  if (key === "value" && isJsonObject(parent) && typeof parent.name === "string") {
    if (/(^|\.)set_sensitive\[\d+\]\.value$/.test(leaf.path))
      return "is a literal Helm `set_sensitive` value";
    return looksSecret(parent.name) ? `holds a literal value for "${parent.name}"` : undefined;
  }
  // A list item (passwords = ["..."]) is judged by the list's name.
  const name = key ?? /([\w-]+)\[\d+\]$/.exec(leaf.path)?.[1];
  return name && looksSecret(name) ? "holds a literal credential" : undefined;
}

/**
 * No password, token, secret or key is written as a literal anywhere in the stack: not in an
 * argument, a Kubernetes env var or secret, a Helm value, a variable default, the backend or a
 * provider block. Literals end up in the repository, the plan and the state.
 */
export const secretsNoLiteralCredentials: PolicyRule = {
  id: "secrets-no-literal-credentials",
  check: (stack) =>
    scanStack(
      stack,
      detect,
      "Read the value from Secrets Manager (a data source or the External Secrets / CSI driver), let the service manage it (manage_master_user_password), or use IAM authentication.",
    ),
};
