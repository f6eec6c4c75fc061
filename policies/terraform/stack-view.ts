import type { ResourceRef } from "../model";
import {
  blockList,
  isJsonObject,
  type BlocksByType,
  type Json,
  type JsonObject,
  type TerraformJson,
} from "./json";

/** A resource or data source of a synthesized stack. */
export interface TfBlock {
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  /** Terraform address: `aws_kms_key.keys_logs_0FF6A81F` or `data.aws_iam_policy_document.x`. */
  readonly address: string;
  /** Construct path from `//.metadata.path`, e.g. `search-prod-infra/keys/logs`. */
  readonly constructPath: string | undefined;
  /** The block's arguments, as synthesized. */
  readonly body: JsonObject;
  /** Name of the stack the block belongs to. */
  readonly stack: string;
}

/**
 * An argument's value once references are followed:
 * - `literal`: known at synth time;
 * - `reference`: an attribute of a block of the stack that Terraform computes at apply time
 *   (`${aws_kms_key.x.arn}`); the block itself is known;
 * - `cross-stack`: an output of another stack that is not part of this evaluation;
 * - `unknown`: a variable, a function call, an interpolation, a reference to a block that does
 *   not exist — nothing a rule can judge;
 * - `missing`: the argument is not set (or null).
 */
export type Value =
  | { readonly kind: "missing" }
  | { readonly kind: "literal"; readonly value: Json }
  | {
      readonly kind: "reference";
      readonly target: TfBlock;
      readonly attribute: string;
      readonly expression: string;
    }
  | {
      readonly kind: "cross-stack";
      readonly stack: string;
      readonly output: string;
      readonly expression: string;
    }
  | { readonly kind: "unknown"; readonly expression: string; readonly reason: string };

/** The result of reading a value a rule needs: the value, or why it cannot be read. */
export type Read<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

export const ok = <T>(value: T): Read<T> => ({ ok: true, value });
export const unreadable = <T>(problem: string): Read<T> => ({ ok: false, problem });

type Segment = string | number;

/** `${data.x.y.a[0].b}` → address and path, or undefined when the expression is not a reference. */
const REFERENCE =
  /^\$\{\s*((?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)((?:\.[\w-]+|\[\d+\]|\["[^"\]]*"\])*)\s*\}$/;
const NOT_BLOCKS = new Set([
  "var",
  "local",
  "each",
  "count",
  "path",
  "terraform",
  "module",
  "self",
]);
const CROSS_STACK_INPUT = "cross-stack-reference-input-";
const MAX_DEPTH = 16;

function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  for (const m of path.matchAll(/\.([\w-]+)|\[(\d+)\]|\["([^"\]]*)"\]/g)) {
    if (m[1] !== undefined) segments.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push(m[3]);
  }
  return segments;
}

/**
 * Follows a path into a block's arguments. A block with at most one item may be an object or a
 * one-item array: `[0]` on an object is the object, a name on a one-item array looks inside it.
 */
function walk(start: Json | undefined, segments: readonly Segment[]): Json | undefined {
  let current = start;
  for (const segment of segments) {
    if (current === undefined || current === null) return undefined;
    if (typeof segment === "number") {
      if (Array.isArray(current)) current = (current as readonly Json[])[segment];
      else if (!(isJsonObject(current) && segment === 0)) return undefined;
      continue;
    }
    if (Array.isArray(current)) {
      if (current.length !== 1) return undefined;
      current = (current as readonly Json[])[0];
    }
    if (!isJsonObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function show(value: Json): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Why a value cannot be used as a literal, in one sentence fragment naming the argument. */
export function describeUnreadable(path: string, value: Value): string {
  switch (value.kind) {
    case "missing":
      return `\`${path}\` is not set`;
    case "literal":
      return `\`${path}\` is ${show(value.value)}`;
    case "reference":
      return `\`${path}\` is ${value.expression}, known only after apply`;
    case "cross-stack":
      return `\`${path}\` is output \`${value.output}\` of stack ${value.stack}, which is not part of this evaluation`;
    case "unknown":
      return `\`${path}\` is ${value.expression}, which cannot be read at synth time (${value.reason})`;
  }
}

interface LiteralOptions<T> {
  /** The provider's default when the argument is absent; absent and no default is a failure. */
  readonly default?: T;
}

/**
 * Read-only view of one synthesized stack: its blocks by address, references resolved within the
 * stack and — when the stacks it reads from are linked — across stacks through cdktf's
 * `terraform_remote_state` outputs.
 */
export class StackView {
  readonly name: string;
  private readonly blocks = new Map<string, TfBlock>();
  private readonly byType = new Map<string, TfBlock[]>();
  private linked: ReadonlyMap<string, StackView> = new Map();

  constructor(readonly json: TerraformJson) {
    const meta = isJsonObject(json["//"]) ? json["//"].metadata : undefined;
    const stackName = isJsonObject(meta) ? meta.stackName : undefined;
    this.name = typeof stackName === "string" ? stackName : "stack";
    this.index("managed", json.resource);
    this.index("data", json.data);
  }

  /**
   * Views of several stacks of one app, each able to follow cross-stack references into the
   * others (the workloads stack's `kms_key_id` into the infra stack's key).
   */
  static linkAll(stacks: readonly TerraformJson[]): StackView[] {
    const views = stacks.map((s) => new StackView(s));
    const byName = new Map(views.map((v) => [v.name, v]));
    for (const view of views) view.linked = byName;
    return views;
  }

  private index(mode: TfBlock["mode"], blocks: BlocksByType | undefined): void {
    for (const [type, byName] of Object.entries(blocks ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        if (!isJsonObject(body)) continue;
        const meta = isJsonObject(body["//"]) ? body["//"].metadata : undefined;
        const path = isJsonObject(meta) ? meta.path : undefined;
        const block: TfBlock = {
          mode,
          type,
          name,
          address: mode === "data" ? `data.${type}.${name}` : `${type}.${name}`,
          constructPath: typeof path === "string" ? path : undefined,
          body,
          stack: this.name,
        };
        this.blocks.set(block.address, block);
        this.byType.set(`${mode}:${type}`, [...(this.byType.get(`${mode}:${type}`) ?? []), block]);
      }
    }
  }

  /** Resources of the given types, in the order they were synthesized. */
  resources(...types: string[]): TfBlock[] {
    return types.flatMap((t) => this.byType.get(`managed:${t}`) ?? []);
  }

  /** Data sources of the given types. */
  dataSources(...types: string[]): TfBlock[] {
    return types.flatMap((t) => this.byType.get(`data:${t}`) ?? []);
  }

  /** Every resource and data source. */
  allBlocks(): TfBlock[] {
    return [...this.blocks.values()];
  }

  block(address: string): TfBlock | undefined {
    return this.blocks.get(address);
  }

  /** Configurations of one provider (one per alias); `[]` when the stack has none. */
  providers(name: string): JsonObject[] {
    const configs = this.json.provider?.[name];
    return Array.isArray(configs) ? configs.filter(isJsonObject) : [];
  }

  /** Where a finding about `block` points. */
  ref(block: TfBlock): ResourceRef {
    return { address: block.address, constructPath: block.constructPath };
  }

  /** The view a block belongs to: this one, or a linked stack's. */
  viewOf(block: TfBlock): StackView {
    return block.stack === this.name ? this : (this.linked.get(block.stack) ?? this);
  }

  /** The raw (unresolved) value at `path` below `obj`, e.g. `vpc_config.endpoint_public_access`. */
  raw(obj: JsonObject, path: string): Json | undefined {
    return walk(obj, parsePath(`.${path}`));
  }

  /** The value at `path` below `obj`, references followed. */
  attr(obj: JsonObject, path: string): Value {
    return this.resolve(this.raw(obj, path));
  }

  /** Follows references until a literal, a computed attribute or something unreadable. */
  resolve(value: Json | undefined, depth = 0): Value {
    if (value === undefined || value === null) return { kind: "missing" };
    if (typeof value !== "string") return { kind: "literal", value };
    if (!value.includes("${") && !value.includes("%{")) return { kind: "literal", value };
    const m = REFERENCE.exec(value);
    if (!m)
      return { kind: "unknown", expression: value, reason: "an interpolation or a function call" };
    const [, address, rest] = m;
    const root = address.split(".")[0];
    if (NOT_BLOCKS.has(root)) {
      return { kind: "unknown", expression: value, reason: `\`${root}\` is set at plan time` };
    }
    if (depth >= MAX_DEPTH) {
      return { kind: "unknown", expression: value, reason: "references nest too deep" };
    }
    const target = this.blocks.get(address);
    if (!target) {
      return { kind: "unknown", expression: value, reason: `${address} is not in this stack` };
    }
    const segments = parsePath(rest);
    if (target.type === "terraform_remote_state" && target.name.startsWith(CROSS_STACK_INPUT)) {
      return this.resolveCrossStack(target, segments, value, depth);
    }
    const found = walk(target.body, segments);
    if (found === undefined || found === null) {
      return { kind: "reference", target, attribute: rest.replace(/^\./, ""), expression: value };
    }
    return this.viewOf(target).resolve(found, depth + 1);
  }

  private resolveCrossStack(
    source: TfBlock,
    segments: readonly Segment[],
    expression: string,
    depth: number,
  ): Value {
    const origin = source.name.slice(CROSS_STACK_INPUT.length);
    const output = segments[0] === "outputs" ? segments[1] : undefined;
    if (typeof output !== "string") {
      return { kind: "unknown", expression, reason: "not an output of the remote state" };
    }
    const originView = this.linked.get(origin);
    const declared = originView?.json.output?.[output];
    if (!originView || !isJsonObject(declared)) {
      return { kind: "cross-stack", stack: origin, output, expression };
    }
    return originView.resolve(walk(declared.value, segments.slice(2)), depth + 1);
  }

  /**
   * The nested blocks `key` of `obj` as a list. Fails when they are generated (`dynamic` blocks
   * or an expression): a rule cannot see what Terraform will make of them.
   */
  blocksOf(obj: JsonObject, key: string): Read<JsonObject[]> {
    const dynamic = obj.dynamic;
    if (isJsonObject(dynamic) && dynamic[key] !== undefined) {
      return unreadable(`\`${key}\` blocks are generated by a dynamic block`);
    }
    const value = obj[key];
    if (typeof value === "string") return unreadable(describeUnreadable(key, this.resolve(value)));
    return ok(blockList(value));
  }

  bool(obj: JsonObject, path: string, options: LiteralOptions<boolean> = {}): Read<boolean> {
    return this.literal(obj, path, options, "a boolean", (v) =>
      typeof v === "boolean" ? v : v === "true" ? true : v === "false" ? false : undefined,
    );
  }

  number(obj: JsonObject, path: string, options: LiteralOptions<number> = {}): Read<number> {
    return this.literal(obj, path, options, "a number", (v) =>
      typeof v === "number"
        ? v
        : typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)
          ? Number(v)
          : undefined,
    );
  }

  string(obj: JsonObject, path: string, options: LiteralOptions<string> = {}): Read<string> {
    return this.literal(obj, path, options, "a string", (v) =>
      typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined,
    );
  }

  /** A list of strings, every element known at synth time. */
  strings(obj: JsonObject, path: string, options: LiteralOptions<string[]> = {}): Read<string[]> {
    const value = this.attr(obj, path);
    if (value.kind === "missing") {
      return options.default ? ok(options.default) : unreadable(`\`${path}\` is not set`);
    }
    if (value.kind !== "literal") return unreadable(describeUnreadable(path, value));
    if (!Array.isArray(value.value)) {
      return unreadable(`\`${path}\` is ${show(value.value)}, expected a list`);
    }
    const items: string[] = [];
    for (const [i, item] of (value.value as readonly Json[]).entries()) {
      const element = this.resolve(item);
      if (element.kind !== "literal" || typeof element.value !== "string") {
        return unreadable(describeUnreadable(`${path}[${i}]`, element));
      }
      items.push(element.value);
    }
    return ok(items);
  }

  /** The elements of a list, each resolved (literals, references, or unreadable values). */
  list(obj: JsonObject, path: string): Read<Value[]> {
    const value = this.attr(obj, path);
    if (value.kind === "missing") return ok([]);
    if (value.kind !== "literal") return unreadable(describeUnreadable(path, value));
    if (!Array.isArray(value.value)) {
      return unreadable(`\`${path}\` is ${show(value.value)}, expected a list`);
    }
    return ok((value.value as readonly Json[]).map((item) => this.resolve(item)));
  }

  /**
   * The block `path` refers to; fails unless it is a reference to a block of one of `types`.
   * With `nameAttribute`, a literal naming a block of the stack by that attribute counts too
   * (`db_cluster_parameter_group_name = "search-prod-aurora-postgresql16"`).
   */
  refersTo(
    obj: JsonObject,
    path: string,
    types: readonly string[],
    nameAttribute?: string,
  ): Read<TfBlock> {
    return this.referenceTo(path, this.attr(obj, path), types, nameAttribute);
  }

  /** True when `value` is `block` itself: a reference to it, or a literal equal to its `nameAttribute`. */
  pointsAt(value: Value, block: TfBlock, nameAttribute?: string): boolean {
    if (value.kind === "reference") return value.target === block;
    if (value.kind !== "literal" || nameAttribute === undefined) return false;
    const name = this.viewOf(block).attr(block.body, nameAttribute);
    return name.kind === "literal" && name.value === value.value;
  }

  /** Checks that a resolved value is a reference to (or the literal name of) a block of one of `types`. */
  referenceTo(
    path: string,
    value: Value,
    types: readonly string[],
    nameAttribute?: string,
  ): Read<TfBlock> {
    if (value.kind === "literal" && nameAttribute !== undefined) {
      const named = types
        .flatMap((t) => (t.startsWith("data.") ? this.dataSources(t.slice(5)) : this.resources(t)))
        .filter((b) => this.pointsAt(value, b, nameAttribute));
      if (named.length === 1) return ok(named[0]);
    }
    if (value.kind === "reference") {
      const type = value.target.mode === "data" ? `data.${value.target.type}` : value.target.type;
      return types.includes(type)
        ? ok(value.target)
        : unreadable(
            `\`${path}\` refers to ${value.target.address}, expected a ${types.join(" or ")}`,
          );
    }
    if (value.kind === "literal") {
      return unreadable(
        `\`${path}\` is the literal ${show(value.value)}, expected a reference to a ${types.join(" or ")} in the stack`,
      );
    }
    return unreadable(describeUnreadable(path, value));
  }

  private literal<T>(
    obj: JsonObject,
    path: string,
    options: LiteralOptions<T>,
    expected: string,
    coerce: (value: Json) => T | undefined,
  ): Read<T> {
    const value = this.attr(obj, path);
    if (value.kind === "missing") {
      return options.default !== undefined
        ? ok(options.default)
        : unreadable(`\`${path}\` is not set`);
    }
    if (value.kind !== "literal") return unreadable(describeUnreadable(path, value));
    const coerced = coerce(value.value);
    return coerced === undefined
      ? unreadable(`\`${path}\` is ${show(value.value)}, expected ${expected}`)
      : ok(coerced);
  }
}
