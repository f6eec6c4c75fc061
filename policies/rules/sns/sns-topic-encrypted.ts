import { readCustomerManagedKey } from "../../terraform/kms";
import { resourceRule } from "../define";

/** Messages at rest in the topic are encrypted with a customer-managed key. */
export const snsTopicEncrypted = resourceRule({
  id: "sns-topic-encrypted",
  types: ["aws_sns_topic"],
  fix: "Set `kmsMasterKeyId: <alarms key>.arn`; its policy must let cloudwatch.amazonaws.com use it.",
  check(topic, stack) {
    const key = readCustomerManagedKey(stack, topic.body, "kms_master_key_id");
    return key.ok ? [] : [key.problem];
  },
});
