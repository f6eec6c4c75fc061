/** Request validation: zod schemas in, typed values out, 400 naming every invalid field. */
import type { Request } from "express";
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

/** URLs longer than this are parsed every time (they would make the memo's bound a lot of bytes). */
const MEMO_MAX_URL_LENGTH = 1_024;

/**
 * `parse` of a route's query string, remembered per URL: a hot route (search) sees the same
 * URLs again and again, and express's query parser and the schema then cost more than the rest
 * of a cached answer's validation. A URL always parses to the same value (the query parser and
 * the schema are pure functions of it), so a remembered value is the one a parse would give;
 * values are frozen, since requests share them. Failures are not remembered (each 400 says what
 * it received). At most `maxEntries` URLs, the oldest forgotten first.
 */
export class QueryParser<S extends z.ZodType> {
  private readonly seen = new Map<string, z.output<S>>();

  constructor(
    private readonly schema: S,
    private readonly maxEntries = 4_096,
  ) {}

  /** @throws AppError 400 `validation_error`, as `parse` does. */
  parse(req: Request): z.output<S> {
    const url = req.url;
    const known = this.seen.get(url);
    if (known !== undefined) return known;
    const value = deepFreeze(parse(this.schema, req.query, "query"));
    if (url.length <= MEMO_MAX_URL_LENGTH) {
      if (this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(url, value);
    }
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
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
