import { readCustomerManagedKey } from "../../terraform/kms";
import { resourceRule } from "../define";

/**
 * Performance Insights, where enabled, is encrypted with a customer-managed key: it keeps
 * query text, which can hold personal data.
 */
export const auroraPerformanceInsightsEncrypted = resourceRule({
  id: "aurora-performance-insights-encrypted",
  types: ["aws_rds_cluster", "aws_rds_cluster_instance"],
  fix: "Set `performanceInsightsKmsKeyId: <database key>.arn` wherever `performanceInsightsEnabled` is true.",
  check(block, stack) {
    const enabled = stack.bool(block.body, "performance_insights_enabled", { default: false });
    if (!enabled.ok) return [enabled.problem];
    if (!enabled.value) return [];
    const key = readCustomerManagedKey(stack, block.body, "performance_insights_kms_key_id");
    return key.ok
      ? []
      : [`${key.problem} (Performance Insights then uses the AWS managed aws/rds key)`];
  },
});
