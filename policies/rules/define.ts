/**
 * Building blocks for rules. Most rules judge resources one at a time: `resourceRule` turns a
 * per-resource check into a `PolicyRule`, so that a rule file holds only what it checks.
 */
import {
  notApplicable,
  type PolicyContext,
  type PolicyRule,
  type ResourceRef,
  type RuleFinding,
  type RuleResult,
} from "../model";
import type { Read, StackView, TfBlock } from "../terraform/stack-view";

/** A problem with a resource: a message, with the rule's fix unless it names its own. */
export type Problem = string | { readonly message: string; readonly fix: string };

export interface ResourceRuleSpec {
  readonly id: string;
  /** Resource types the rule judges; a stack with none of them is "not applicable". */
  readonly types: readonly string[];
  /** How to fix a finding, unless the problem names its own fix. */
  readonly fix: string;
  /**
   * When the rule applies at all, given the environment: return why not (e.g. "prod only"),
   * or undefined when it applies. @default always applies
   */
  readonly skip?: (context: PolicyContext) => string | undefined;
  /**
   * Which of the resources the rule is about (e.g. only log groups holding audit data).
   * @default every resource of `types`
   */
  readonly select?: (block: TfBlock, stack: StackView, context: PolicyContext) => boolean;
  /** The resource's problems; `[]` when it complies. */
  readonly check: (block: TfBlock, stack: StackView, context: PolicyContext) => readonly Problem[];
}

/** A rule that judges each resource of some types on its own. */
export function resourceRule(spec: ResourceRuleSpec): PolicyRule {
  return {
    id: spec.id,
    check(stack, context) {
      const skipped = spec.skip?.(context);
      if (skipped) return notApplicable(skipped);
      const blocks = stack
        .resources(...spec.types)
        .filter((b) => !spec.select || spec.select(b, stack, context));
      if (blocks.length === 0) {
        return notApplicable(`no ${spec.types.join(" or ")}${spec.select ? " it applies to" : ""}`);
      }
      const passed: ResourceRef[] = [];
      const findings: RuleFinding[] = [];
      for (const block of blocks) {
        const problems = spec.check(block, stack, context);
        if (problems.length === 0) passed.push(stack.ref(block));
        for (const p of problems) findings.push(finding(stack.ref(block), p, spec.fix));
      }
      return { kind: "evaluated", passed, findings };
    },
  };
}

export function finding(resource: ResourceRef, problem: Problem, fix: string): RuleFinding {
  return typeof problem === "string"
    ? { resource, message: problem, fix }
    : { resource, message: problem.message, fix: problem.fix };
}

/** The outcome of checks done outside `resourceRule`. */
export function evaluated(
  passed: readonly ResourceRef[],
  findings: readonly RuleFinding[],
): RuleResult {
  return { kind: "evaluated", passed, findings };
}

/**
 * Runs `judge` on a value that was read, or reports why it could not be read. The usual shape
 * of a check: `expect(stack.bool(b, "x"), (x) => x ? [] : ["`x` is false"])`.
 */
export function expect<T>(
  read: Read<T>,
  judge: (value: T) => readonly Problem[],
): readonly Problem[] {
  return read.ok ? judge(read.value) : [read.problem];
}

/** Rules that apply only in production. */
export const prodOnly = (context: PolicyContext): string | undefined =>
  context.stage === "prod" ? undefined : `applies in prod only (stage is ${context.stage})`;

/** "1 day", "7 days". */
export const days = (n: number): string => `${n} day${n === 1 ? "" : "s"}`;
