import { days, resourceRule } from "../define";
import { holdsAuditData } from "./log-groups";

/**
 * Log groups holding audit data keep it at least as long as the compliance preset asks
 * (HIPAA and SOX 2555 days, GDPR 1095, otherwise 730). "Never expire" satisfies this rule;
 * `log-group-retention-set` reports it.
 */
export const logGroupAuditRetention = resourceRule({
  id: "log-group-audit-retention",
  types: ["aws_cloudwatch_log_group"],
  select: (group, stack) => holdsAuditData(stack, group),
  fix: "Set `retentionInDays` to `cloudWatchRetentionAtLeast(<preset minimum>)` (2557 for HIPAA and SOX, 1096 for GDPR, 731 otherwise).",
  check(group, stack, context) {
    const retention = stack.number(group.body, "retention_in_days", { default: 0 });
    if (!retention.ok) return [retention.problem];
    if (retention.value === 0) return [];
    return retention.value >= context.minAuditRetentionInDays
      ? []
      : [
          `audit log group keeps events ${days(retention.value)}; the "${context.compliancePreset}" preset needs at least ${context.minAuditRetentionInDays}`,
        ];
  },
});
