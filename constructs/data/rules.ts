/** Validation rules shared by the data stores' constructs (not part of the public surface). */
import { isKnown, type PropRule } from "../core";

/** `name` must be a whole number from `min` to `max`. */
export function wholeNumberRule(name: string, value: number, min: number, max: number): PropRule {
  return {
    violated: isKnown(value) && !(Number.isInteger(value) && value >= min && value <= max),
    message: `\`${name}\` must be a whole number from ${min} to ${max}, got ${value}`,
  };
}

/** `name` must be a daily window, UTC, `hh:mm-hh:mm`. */
export function dailyWindowRule(name: string, window: string): PropRule {
  return {
    violated: isKnown(window) && !/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/.test(window),
    message: `\`${name}\` must be hh:mm-hh:mm (UTC), like "02:00-03:00", got "${window}"`,
  };
}

const DAY = "(mon|tue|wed|thu|fri|sat|sun)";
const TIME = "([01]\\d|2[0-3]):[0-5]\\d";
const WEEKLY_WINDOW = new RegExp(`^${DAY}:${TIME}-${DAY}:${TIME}$`);

/** `name` must be a weekly window, UTC, `ddd:hh:mm-ddd:hh:mm`. */
export function weeklyWindowRule(name: string, window: string): PropRule {
  return {
    violated: isKnown(window) && !WEEKLY_WINDOW.test(window),
    message: `\`${name}\` must be ddd:hh:mm-ddd:hh:mm (UTC), like "sun:03:30-sun:04:30", got "${window}"`,
  };
}

/** `clients` must name at least one security group. */
export function clientsRule(clients: readonly unknown[]): PropRule {
  return {
    violated: isKnown(clients) && clients.length === 0,
    message:
      "`clients` must list at least one security group (nothing could connect otherwise), got none",
  };
}
