import type { Construct } from "constructs";

/**
 * A resource name that stays stable and readable: the given base, or else the construct's path
 * below the App (stack id included, so names differ per environment), lowercased with dashes,
 * cut to `maxLength`.
 */
export function resourceName(scope: Construct, base: string | undefined, maxLength = 63): string {
  const name =
    base ??
    scope.node.scopes
      .slice(1)
      .map((s) => s.node.id)
      .join("-");
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, maxLength);
}
