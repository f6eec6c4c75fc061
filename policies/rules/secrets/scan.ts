/**
 * Walks every value of a stack and reports where literal secrets sit, grouped by the resource
 * (or top-level block) that holds them. Reports name the attribute path, never the value.
 */
import type { ResourceRef, RuleFinding, RuleResult } from "../../model";
import { isJsonObject, type Json } from "../../terraform/json";
import type { StackView } from "../../terraform/stack-view";
import { evaluated } from "../define";

export interface Leaf {
  /** Path from the owner, e.g. `master_password` or `spec.template.spec.container[0].env[1]`. */
  readonly path: string;
  /** The attribute name the value sits under (`undefined` for list items). */
  readonly key: string | undefined;
  readonly value: Json;
  /** The object that holds the value. */
  readonly parent: Json;
}

interface Owner {
  readonly ref: ResourceRef;
  readonly body: Json;
}

/** Resources and data sources own their arguments; other top-level blocks own themselves. */
function owners(stack: StackView): Owner[] {
  const list: Owner[] = stack.allBlocks().map((b) => ({ ref: stack.ref(b), body: b.body }));
  for (const [key, value] of Object.entries(stack.json)) {
    if (key === "//" || key === "resource" || key === "data" || value === undefined) continue;
    if (key === "provider" && isJsonObject(value)) {
      for (const [name, configs] of Object.entries(value)) {
        (Array.isArray(configs) ? configs : [configs]).forEach((c: Json, i: number) =>
          list.push({
            ref: { address: `provider.${name}[${i}]`, constructPath: stack.name },
            body: c,
          }),
        );
      }
    } else if (isJsonObject(value)) {
      for (const [name, inner] of Object.entries(value)) {
        if (inner !== undefined)
          list.push({ ref: { address: `${key}.${name}`, constructPath: stack.name }, body: inner });
      }
    }
  }
  return list;
}

function leaves(
  value: Json,
  path: string,
  key: string | undefined,
  parent: Json,
  out: Leaf[],
): void {
  if (Array.isArray(value)) {
    (value as readonly Json[]).forEach((v, i) => leaves(v, `${path}[${i}]`, undefined, value, out));
  } else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "//" || v === undefined) continue;
      leaves(v, path ? `${path}.${k}` : k, k, value, out);
    }
  } else {
    out.push({ path, key, value, parent });
  }
}

/**
 * Runs `detect` on every leaf value of the stack; a leaf it flags becomes part of its owner's
 * finding. Owners with no flagged leaf pass (reported as one line for the whole stack).
 */
export function scanStack(
  stack: StackView,
  detect: (leaf: Leaf, owner: ResourceRef) => string | undefined,
  fix: string,
): RuleResult {
  const findings: RuleFinding[] = [];
  for (const owner of owners(stack)) {
    const out: Leaf[] = [];
    leaves(owner.body, "", undefined, null, out);
    const hits = out.flatMap((leaf) => {
      const why = detect(leaf, owner.ref);
      return why ? [`\`${leaf.path}\` ${why}`] : [];
    });
    if (hits.length > 0) findings.push({ resource: owner.ref, message: hits.join("; "), fix });
  }
  const passed =
    findings.length === 0 ? [{ address: "(every block)", constructPath: stack.name }] : [];
  return evaluated(passed, findings);
}

/** A value written into the configuration: not empty, not an expression. */
export function isLiteral(value: Json): boolean {
  return (
    (typeof value === "string" && value !== "" && !value.includes("${")) ||
    typeof value === "number"
  );
}
