import { readCustomerManagedKey } from "../../terraform/kms";
import { resourceRule } from "../define";

/** Log events are encrypted with a customer-managed key, whose policy says who may read them. */
export const logGroupKms = resourceRule({
  id: "log-group-kms",
  types: ["aws_cloudwatch_log_group"],
  fix: "Set `kmsKeyId: <logs key>.arn`; the key policy must let `logs.<region>.amazonaws.com` use it for this log group's ARN.",
  check(group, stack) {
    const key = readCustomerManagedKey(stack, group.body, "kms_key_id");
    return key.ok
      ? []
      : [`${key.problem} (CloudWatch then encrypts with a key the account does not control)`];
  },
});
