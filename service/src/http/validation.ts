/** Request validation: zod schemas in, typed values out, 400 naming every invalid field. */
import type { z } from "zod";
import { joinPath } from "../config/issues";
import { AppError } from "./errors";

export type Location = "body" | "query" | "params";

/**
 * @throws AppError 400 `validation_error`, e.g.
 *   `query.limit: Too big: expected number to be <=100, got "500"`.
 */
export function parse<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: Location,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw AppError.validation(describe(result.error, input, where));
}

/**
 * One message per issue, `; `-separated: the field's path under `where`, what is wrong, and the
 * value received when it is short and plain (never an object, an array or a long text).
 */
export function describe(error: z.ZodError, input: unknown, where: string): string {
  const parts: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys)
        parts.push(`${at(where, [...issue.path, key])}: is not allowed`);
      continue;
    }
    // A record key that fails its schema: the path names the key; report the key's problem.
    if (issue.code === "invalid_key") {
      parts.push(`${at(where, issue.path)}: ${issue.issues[0]?.message ?? issue.message}`);
      continue;
    }
    parts.push(
      `${at(where, issue.path)}: ${issue.message}${received(input, issue.path, issue.message)}`,
    );
  }
  return parts.join("; ");
}

function at(where: string, path: readonly PropertyKey[]): string {
  const rest = joinPath(path);
  if (!rest) return where;
  return rest.startsWith("[") ? `${where}${rest}` : `${where}.${rest}`;
}

function received(input: unknown, path: readonly PropertyKey[], message: string): string {
  if (/\bgot\b/.test(message)) return "";
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !(key in cur)) return "";
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  if (typeof cur === "string") return cur.length <= 40 ? `, got ${JSON.stringify(cur)}` : "";
  if (typeof cur === "number" || typeof cur === "boolean") return `, got ${cur}`;
  return "";
}
