import type { ResourceRef } from "../model";
import type { Waiver } from "../settings";

/** Does the waiver's `resource` name this resource (address, construct path, or path prefix `/*`)? */
export function waiverMatches(waiver: Waiver, ruleId: string, resource: ResourceRef): boolean {
  if (waiver.rule !== ruleId) return false;
  const pattern = waiver.resource;
  if (pattern === resource.address || pattern === resource.constructPath) return true;
  return (
    pattern.endsWith("/*") &&
    resource.constructPath !== undefined &&
    resource.constructPath.startsWith(pattern.slice(0, -1))
  );
}

/** A waiver applies through its expiry day. Dates are `YYYY-MM-DD`, so they compare as strings. */
export function isExpired(waiver: Waiver, today: string): boolean {
  return today > waiver.expires;
}

/** `today` in the form the engine takes, from a Date (UTC). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
