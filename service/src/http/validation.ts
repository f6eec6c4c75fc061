/** Request validation: zod schemas in, typed values out, 400 naming every invalid field. */
import type { z } from "zod";
import { describeIssues } from "../config/issues";
import { AppError } from "./errors";

export type Location = "body" | "query" | "params";

/** @throws AppError 400 `validation_error`, e.g. "query.limit: Too big: expected number to be <=100, got "500"". */
export function parse<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: Location,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw AppError.validation(describe(result.error, input, where));
}

export function describe(error: z.ZodError, input: unknown, where: string): string {
  return describeIssues(error.issues, input)
    .map((i) => `${i.path ? `${where}.${i.path}` : where}: ${i.message}`)
    .join("; ");
}
