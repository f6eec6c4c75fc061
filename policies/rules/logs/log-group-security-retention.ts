import { days, resourceRule } from "../define";
import { holdsSecurityRecords } from "./log-groups";

const ONE_YEAR = 365;

/**
 * Log groups holding security records (flow logs, control-plane, database, cache and audit
 * logs) keep at least a year of history, as PCI DSS 10.5.1 asks.
 */
export const logGroupSecurityRetention = resourceRule({
  id: "log-group-security-retention",
  types: ["aws_cloudwatch_log_group"],
  select: (group, stack) => holdsSecurityRecords(stack, group),
  fix: "Set `retentionInDays` to 365 or more on flow log, EKS, RDS, ElastiCache and audit log groups.",
  check(group, stack) {
    const retention = stack.number(group.body, "retention_in_days", { default: 0 });
    if (!retention.ok) return [retention.problem];
    return retention.value === 0 || retention.value >= ONE_YEAR
      ? []
      : [
          `security log group keeps events ${days(retention.value)}; at least ${ONE_YEAR} are needed`,
        ];
  },
});
