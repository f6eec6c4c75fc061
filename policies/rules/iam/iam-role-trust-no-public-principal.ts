import { describeStatement, publicStatements, readPolicy } from "../../terraform/iam";
import { expect, resourceRule } from "../define";

/** No role may be assumed by anyone: a trust policy with `Principal: "*"` needs a scoping condition. */
export const iamRoleTrustNoPublicPrincipal = resourceRule({
  id: "iam-role-trust-no-public-principal",
  types: ["aws_iam_role"],
  fix: "Name the service or role that assumes it (e.g. pods.eks.amazonaws.com for EKS Pod Identity), or add an aws:PrincipalAccount / aws:SourceAccount condition.",
  check: (role, stack) => {
    const policy = readPolicy(stack, role.body, "assume_role_policy");
    return expect(policy, (statements) =>
      statements === undefined
        ? ["`assume_role_policy` is not set"]
        : publicStatements(statements).map(
            (s) =>
              `${describeStatement(s, statements.indexOf(s))} of the trust policy lets any principal assume the role`,
          ),
    );
  },
});
