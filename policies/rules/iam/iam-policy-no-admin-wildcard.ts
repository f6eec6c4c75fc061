import { readPolicy, type Statement } from "../../terraform/iam";
import type { JsonObject } from "../../terraform/json";
import type { Read } from "../../terraform/stack-view";
import { resourceRule, type Problem } from "../define";

const ALL = /^\*(:\*)?$/;

function adminStatements(statements: readonly Statement[]): Statement[] {
  return statements.filter(
    (s) => s.effect === "Allow" && (s.actions.some((a) => ALL.test(a)) || s.notActions.length > 0),
  );
}

/**
 * No identity policy of the stack allows every action (`*`, or everything through
 * `NotAction`): administrator access is granted outside the platform's code, to people.
 */
export const iamPolicyNoAdminWildcard = resourceRule({
  id: "iam-policy-no-admin-wildcard",
  types: ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_role"],
  fix: "List the actions the role needs (service:Action) and the resources they apply to.",
  check(block, stack) {
    const documents: { label: string; read: Read<Statement[] | undefined> }[] = [];
    if (block.type === "aws_iam_role") {
      const inline = stack.blocksOf(block.body, "inline_policy");
      if (!inline.ok) return [inline.problem];
      inline.value.forEach((p: JsonObject, i) =>
        documents.push({ label: `inline_policy[${i}]`, read: readPolicy(stack, p, "policy") }),
      );
    } else {
      documents.push({ label: "policy", read: readPolicy(stack, block.body, "policy") });
    }
    const problems: Problem[] = [];
    for (const { label, read } of documents) {
      if (!read.ok) problems.push(read.problem);
      else if (read.value === undefined && block.type !== "aws_iam_role")
        problems.push(`\`${label}\` is not set`);
      else if (adminStatements(read.value ?? []).length > 0) {
        problems.push(`\`${label}\` allows every action`);
      }
    }
    return problems;
  },
});
