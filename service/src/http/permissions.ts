/**
 * What each role may do. Fixed in code, deliberately: a role's meaning must not drift between
 * deployments. Part 2 adds the audit trail (auditor) and erasure (admin).
 */
import type { Role } from "../config/settings";

export const ACTIONS = ["search", "read", "write", "delete", "manageKeys"] as const;
export type Action = (typeof ACTIONS)[number];

export const PERMISSIONS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  admin: new Set(["search", "read", "write", "delete", "manageKeys"]),
  writer: new Set(["search", "read", "write", "delete"]),
  reader: new Set(["search", "read"]),
  auditor: new Set(["search", "read"]),
};

export function may(role: Role, action: Action): boolean {
  return PERMISSIONS[role].has(action);
}
