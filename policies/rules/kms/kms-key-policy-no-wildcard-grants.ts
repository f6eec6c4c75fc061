import { describeStatement, isAccountRoot } from "../../terraform/iam";
import { expect, resourceRule } from "../define";
import { keyPolicy } from "./key-policy";

const WILDCARD = /^(\*|kms:\*)$/i;

/**
 * A key policy grants `kms:*` (or `*`, or everything through `NotAction`) to the account root
 * only. The root grant delegates to IAM; a wildcard to any other principal hands it key
 * administration and deletion along with use.
 */
export const kmsKeyPolicyNoWildcardGrants = resourceRule({
  id: "kms-key-policy-no-wildcard-grants",
  types: ["aws_kms_key"],
  fix: "Grant the account root `kms:*` and every other principal only the actions it uses (e.g. kms:Decrypt, kms:GenerateDataKey*), through the key's `aws_iam_policy_document`.",
  check: (key, stack) =>
    expect(keyPolicy(stack, key), (statements) =>
      statements.flatMap((s, i) => {
        if (s.effect !== "Allow") return [];
        const wildcard = s.actions.some((a) => WILDCARD.test(a)) || s.notActions.length > 0;
        const others = [...s.principals.filter((p) => !isAccountRoot(p)), ...s.notPrincipals];
        if (!wildcard || others.length === 0) return [];
        const who = others.map((p) => `${p.type}: ${p.identifiers.join(", ")}`).join("; ");
        return [`${describeStatement(s, i)} of the key policy grants every KMS action to ${who}`];
      }),
    ),
});
