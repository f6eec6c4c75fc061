/**
 * The JSON cdktf writes to `cdktf.out/stacks/<stack>/cdk.tf.json` (and `TerraformStack.toTerraform()`
 * returns): resources and data sources by type and name, snake_case arguments, nested blocks as
 * objects or arrays of objects, references as `${type.name.attribute}` strings.
 */

/** Any JSON value. */
export type Json = string | number | boolean | null | readonly Json[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: Json | undefined;
}

/** Blocks of one kind (resource or data source), by type, then by name. */
export type BlocksByType = Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;

/** One synthesized stack, as far as the policies read it. */
export interface TerraformJson {
  readonly "//"?: JsonObject;
  readonly resource?: BlocksByType;
  readonly data?: BlocksByType;
  /** Provider configurations by provider name; one entry per configuration (aliases). */
  readonly provider?: Readonly<Record<string, readonly JsonObject[]>>;
  readonly output?: Readonly<Record<string, JsonObject>>;
  readonly variable?: Readonly<Record<string, JsonObject>>;
  readonly terraform?: JsonObject;
  readonly [key: string]: unknown;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A nested block as a list, however cdktf wrote it: blocks with at most one item come out as an
 * object (`vpc_config`), repeatable ones as an array (`block_device_mappings`), an absent one as
 * nothing. Terraform accepts both shapes, so rules read both.
 */
export function blockList(value: Json | undefined): JsonObject[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.filter(isJsonObject);
  return isJsonObject(value) ? [value] : [];
}
