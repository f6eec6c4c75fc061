import { notApplicable, type ResourceRef, type RuleFinding, type RuleResult } from "../../model";
import { securityGroupRules, type SecurityGroupRule } from "../../terraform/network";
import type { StackView, TfBlock } from "../../terraform/stack-view";
import { evaluated, finding, type Problem } from "../define";

/**
 * Judges every security group rule of the stack; findings land on the resource that declares
 * the rule (the security group for inline rules), passes on each declaring resource without one.
 */
export function judgeSecurityGroupRules(
  stack: StackView,
  fix: string,
  judge: (rule: SecurityGroupRule) => readonly Problem[],
): RuleResult {
  const { rules, unreadable } = securityGroupRules(stack);
  if (rules.length === 0 && unreadable.length === 0)
    return notApplicable("no security group rules");
  const findings: RuleFinding[] = unreadable.map((u) =>
    finding(stack.ref(u.block), u.problem, fix),
  );
  const declaring = new Map<string, TfBlock>();
  for (const rule of rules) {
    declaring.set(rule.declaredBy.address, rule.declaredBy);
    const where = rule.label ? `${rule.label}: ` : "";
    for (const p of judge(rule)) {
      const problem =
        typeof p === "string" ? `${where}${p}` : { ...p, message: `${where}${p.message}` };
      findings.push(finding(stack.ref(rule.declaredBy), problem, fix));
    }
  }
  const failed = new Set(findings.map((f) => f.resource.address));
  const passed: ResourceRef[] = [...declaring.values()]
    .filter((b) => !failed.has(b.address))
    .map((b) => stack.ref(b));
  return evaluated(passed, findings);
}
