import { describeStatement, publicStatements } from "../../terraform/iam";
import { expect, resourceRule } from "../define";
import { keyPolicy } from "./key-policy";

/**
 * No key policy statement allows `Principal: "*"` (or `NotPrincipal`) unless a condition narrows
 * the caller to an account, organization, source or network.
 */
export const kmsKeyPolicyNoPublicPrincipal = resourceRule({
  id: "kms-key-policy-no-public-principal",
  types: ["aws_kms_key"],
  fix: "Name the principals, or add a condition on aws:PrincipalAccount, aws:PrincipalOrgID, kms:CallerAccount or aws:SourceAccount to the statement.",
  check: (key, stack) =>
    expect(keyPolicy(stack, key), (statements) =>
      publicStatements(statements).map(
        (s) =>
          `${describeStatement(s, statements.indexOf(s))} of the key policy allows any principal (${s.actions.join(", ") || "NotAction"}) with no condition on who calls`,
      ),
    ),
});
