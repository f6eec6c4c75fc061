import type { TerraformStack } from "cdktf";
import type { PolicyContext, PolicyRule } from "../../../policies/model";
import { DEV_CONTEXT, messagesOf, PROD_CONTEXT, runRule, synthStack } from "./synth";

/** What a case expects of the rule. */
export type Expectation =
  /** Evaluated, at least one resource passed, no finding. */
  | { readonly compliant: true }
  /** At least one finding, and one message matches. */
  | { readonly fails: RegExp }
  /** A finding because a value cannot be read (the rule fails closed); the message says why. */
  | { readonly unreadable: RegExp }
  | { readonly notApplicable: true };

/** One fixture for one rule. */
export interface RuleCase {
  readonly rule: PolicyRule;
  /** "passes when ...", "fails when ...". */
  readonly name: string;
  readonly build: (stack: TerraformStack) => void;
  /** @default prod */
  readonly stage?: "prod" | "dev";
  readonly context?: Partial<PolicyContext>;
  readonly expect: Expectation;
}

export const compliant = { compliant: true } as const;
export const fails = (pattern: RegExp) => ({ fails: pattern }) as const;
export const unreadable = (pattern: RegExp) => ({ unreadable: pattern }) as const;
export const notApplicable = { notApplicable: true } as const;

/** Runs a table of cases: one jest test per case, named "<rule id> <case name>". */
export function describeRuleCases(title: string, cases: readonly RuleCase[]): void {
  describe(title, () => {
    it.each(cases.map((c) => [`${c.rule.id} ${c.name}`, c] as const))("%s", (_name, c) => {
      const base = c.stage === "dev" ? DEV_CONTEXT : PROD_CONTEXT;
      const result = runRule(c.rule, synthStack(c.build), { ...base, ...c.context });
      const e = c.expect;
      if ("notApplicable" in e) {
        expect(result.kind).toBe("not-applicable");
      } else if ("compliant" in e) {
        expect(messagesOf(result)).toEqual([]);
        expect(result.kind === "evaluated" && result.passed.length).toBeGreaterThan(0);
      } else {
        const pattern = "fails" in e ? e.fails : e.unreadable;
        expect(result.kind).toBe("evaluated");
        expect(messagesOf(result)).toContainEqual(expect.stringMatching(pattern));
      }
    });
  });
}
