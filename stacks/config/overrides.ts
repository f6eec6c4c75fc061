/**
 * Deployment-time overrides: change a value for one run without editing an environment file.
 *
 * Three sources, applied in this order (later wins), each keyed by environment name:
 *  1. cdktf context `overrides` (cdktf.json "context", or `--context` style tooling);
 *  2. SEARCH_PLATFORM_OVERRIDES: a JSON object, or `@path/to/file.json`;
 *  3. SEARCH_PLATFORM_SET: `env.path=value` pairs separated by `;`, values read as JSON when they
 *     parse (numbers, booleans, arrays) and as strings otherwise, e.g.
 *     `prod.aurora.readers=3;prod.aws.accountId=123456789012`.
 * The result is validated like the environment file itself, so an override of an unknown or
 * invalid field fails synth with its path.
 *
 * This module reads nothing from the process: the App entry hands it the context and the
 * environment variables.
 */
import { readFileSync } from "node:fs";

export type Overrides = Record<string, Record<string, unknown>>;

export interface OverrideSources {
  /** The value of the cdktf context key `overrides`, if any. */
  readonly context?: unknown;
  /** Environment variables (the App passes process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads `@file` references; defaults to the file system. */
  readonly readFile?: (path: string) => string;
}

export class OverrideError extends Error {
  constructor(source: string, problem: string) {
    super(`Invalid override in ${source}: ${problem}`);
    this.name = "OverrideError";
  }
}

export function collectOverrides(sources: OverrideSources): Overrides {
  const readFile = sources.readFile ?? ((p: string) => readFileSync(p, "utf8"));
  let merged: Overrides = {};

  if (sources.context !== undefined) {
    merged = mergeOverrides(
      merged,
      asOverrides(parseMaybeJson(sources.context, "context overrides"), "context overrides"),
    );
  }

  const json = sources.env.SEARCH_PLATFORM_OVERRIDES;
  if (json) {
    const source = json.startsWith("@")
      ? `SEARCH_PLATFORM_OVERRIDES file ${json.slice(1)}`
      : "SEARCH_PLATFORM_OVERRIDES";
    let text = json;
    if (json.startsWith("@")) {
      try {
        text = readFile(json.slice(1));
      } catch (e) {
        throw new OverrideError(source, `cannot read it (${(e as Error).message})`);
      }
    }
    merged = mergeOverrides(merged, asOverrides(parseJson(text, source), source));
  }

  const set = sources.env.SEARCH_PLATFORM_SET;
  if (set) {
    for (const assignment of set
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean)) {
      const eq = assignment.indexOf("=");
      if (eq <= 0) {
        throw new OverrideError(
          "SEARCH_PLATFORM_SET",
          `"${assignment}" is not of the form env.path=value`,
        );
      }
      const path = assignment.slice(0, eq).trim().split(".");
      if (path.length < 2 || path.some((k) => k === "")) {
        throw new OverrideError(
          "SEARCH_PLATFORM_SET",
          `"${assignment}" must name an environment and a field, like prod.aurora.readers=3`,
        );
      }
      const raw = assignment.slice(eq + 1).trim();
      merged = mergeOverrides(
        merged,
        asOverrides(nest(path, readValue(raw)), "SEARCH_PLATFORM_SET"),
      );
    }
  }
  return merged;
}

/** Deep-merges `override` into `base`. Objects merge key by key; arrays and scalars replace. */
export function applyOverride<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override))
    return (override === undefined ? base : override) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = applyOverride(out[k], v);
  return out as T;
}

function mergeOverrides(a: Overrides, b: Overrides): Overrides {
  return applyOverride(a, b);
}

function asOverrides(value: unknown, source: string): Overrides {
  if (!isPlainObject(value))
    throw new OverrideError(source, "must be an object keyed by environment name");
  for (const [env, v] of Object.entries(value)) {
    if (!isPlainObject(v))
      throw new OverrideError(source, `"${env}" must be an object of config fields`);
  }
  return value as Overrides;
}

function parseMaybeJson(value: unknown, source: string): unknown {
  return typeof value === "string" ? parseJson(value, source) : value;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new OverrideError(source, `not valid JSON (${(e as Error).message})`);
  }
}

function readValue(raw: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return raw;
  }
  // "0123" or "1e3" would not survive as numbers; keep such values as the text that was typed.
  return typeof value === "number" && String(value) !== raw ? raw : value;
}

function nest(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Record<
    string,
    unknown
  >;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
