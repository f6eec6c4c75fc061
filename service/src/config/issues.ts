/**
 * Turns zod issues into messages a person can act on: the dotted path of the field, what is
 * wrong, and the value that was received. Shared by the service's settings and the platform's
 * environment config, so both read the same way.
 */
import type { z } from "zod";

/** One invalid value: where it is and what is wrong with it. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ path: joinPath([...issue.path, key]), message: "is not a known setting" });
      }
      continue;
    }
    let message = issue.message;
    if (!/\bgot\b/.test(message)) {
      const received = valueAt(input, issue.path);
      if (received.found) message += `, got ${render(received.value)}`;
    }
    out.push({ path: joinPath(issue.path), message });
  }
  return out;
}

export function joinPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === "number") return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, "");
}

function valueAt(
  input: unknown,
  path: readonly PropertyKey[],
): { found: boolean; value?: unknown } {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !(key in (cur as object)))
      return { found: false };
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return { found: true, value: cur };
}

function render(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
