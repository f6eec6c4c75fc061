import type { Read, StackView, TfBlock } from "../../terraform/stack-view";
import { readPolicy, THIS_ACCOUNT, type Statement } from "../../terraform/iam";
import { ok } from "../../terraform/stack-view";

/**
 * The statements of a key's policy: its `policy` argument, or an `aws_kms_key_policy` of the
 * stack attached to it. A key with neither gets KMS's default policy, which grants `kms:*` to
 * the account root and nothing else.
 */
export function keyPolicy(stack: StackView, key: TfBlock): Read<Statement[]> {
  const inline = readPolicy(stack, key.body, "policy");
  if (!inline.ok) return inline;
  if (inline.value) return ok(inline.value);
  for (const attached of stack.resources("aws_kms_key_policy")) {
    const target = stack.attr(attached.body, "key_id");
    if (target.kind === "reference" && target.target === key) {
      const policy = readPolicy(stack, attached.body, "policy");
      if (!policy.ok) return policy;
      return ok(policy.value ?? []);
    }
  }
  return ok([
    {
      sid: "KMS default key policy",
      effect: "Allow",
      actions: ["kms:*"],
      notActions: [],
      principals: [{ type: "AWS", identifiers: [THIS_ACCOUNT] }],
      notPrincipals: [],
      conditions: [],
    },
  ]);
}
