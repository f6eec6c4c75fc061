import { CLOUDWATCH_RETENTION_DAYS } from "../../../stacks/config/catalog/cloudwatch";
import { resourceRule } from "../define";

/**
 * Every log group expires its events: unset (or 0) means "never", which keeps personal data
 * and cost growing without end.
 */
export const logGroupRetentionSet = resourceRule({
  id: "log-group-retention-set",
  types: ["aws_cloudwatch_log_group"],
  fix: "Set `retentionInDays` to a value CloudWatch accepts (the config's `*.logRetentionInDays`).",
  check(group, stack) {
    const days = stack.number(group.body, "retention_in_days", { default: 0 });
    if (!days.ok) return [days.problem];
    if (days.value === 0) return ["`retention_in_days` is not set: events are kept forever"];
    return (CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(days.value)
      ? []
      : [`\`retention_in_days\` is ${days.value}, which CloudWatch rejects`];
  },
});
