/**
 * What each role may do. Fixed in code, deliberately: a role's meaning must not drift between
 * deployments. `erase`: erase a data subject (admin); `audit`: verify the audit trail and read
 * the compliance report (admin, auditor). What a role sees unmasked is the settings' business
 * (`governance.roleClearances`), not this table's.
 */
import type { Role } from "../config/settings";

export const ACTIONS = [
  "search",
  "read",
  "write",
  "delete",
  "manageKeys",
  "erase",
  "audit",
] as const;
export type Action = (typeof ACTIONS)[number];

export const PERMISSIONS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  admin: new Set(["search", "read", "write", "delete", "manageKeys", "erase", "audit"]),
  writer: new Set(["search", "read", "write", "delete"]),
  reader: new Set(["search", "read"]),
  auditor: new Set(["search", "read", "audit"]),
};

export function may(role: Role, action: Action): boolean {
  return PERMISSIONS[role].has(action);
}
