import { describeStatement, publicStatements, readPolicy } from "../../terraform/iam";
import { expect, resourceRule } from "../define";

/** No topic policy lets anyone publish or subscribe without a condition narrowing who. */
export const snsTopicPolicyNoPublic = resourceRule({
  id: "sns-topic-policy-no-public",
  types: ["aws_sns_topic_policy", "aws_sns_topic"],
  select: (block) => block.type === "aws_sns_topic_policy" || block.body.policy !== undefined,
  fix: "Name the publishing service (cloudwatch.amazonaws.com) with an aws:SourceAccount or aws:SourceArn condition.",
  check: (block, stack) =>
    expect(readPolicy(stack, block.body, "policy"), (statements) =>
      statements === undefined
        ? ["`policy` is not set"]
        : publicStatements(statements).map(
            (s) =>
              `${describeStatement(s, statements.indexOf(s))} lets any principal ${s.actions.join(", ") || "act"} with no condition on who`,
          ),
    ),
});
