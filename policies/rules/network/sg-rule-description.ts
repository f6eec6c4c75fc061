import type { PolicyRule } from "../../model";
import { judgeSecurityGroupRules } from "./judge-rules";

/**
 * Every security group rule says what it is for (`description`): a reviewer, and an auditor
 * reading the console, can tell a needed rule from a forgotten one.
 */
export const sgRuleDescription: PolicyRule = {
  id: "sg-rule-description",
  check: (stack) =>
    judgeSecurityGroupRules(
      stack,
      "Set `description` on the rule: who is admitted, to what, and why.",
      (rule) => {
        const description = stack.string(rule.body, "description");
        if (!description.ok) return [description.problem];
        return description.value.trim() === "" ? ["`description` is empty"] : [];
      },
    ),
};
