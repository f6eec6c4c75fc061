import { days, resourceRule } from "../define";

/**
 * Automated backups are kept at least as long as the stage asks: 7 days anywhere, 30 in prod
 * (REFERENCE.md: backups 30 days), or more where `policy.minBackupRetentionInDays` says so.
 */
export const auroraBackupRetention = resourceRule({
  id: "aurora-backup-retention",
  types: ["aws_rds_cluster"],
  fix: "Raise `backupRetentionPeriod` (config `aurora.backupRetentionInDays`, at most 35).",
  check(cluster, stack, context) {
    const retention = stack.number(cluster.body, "backup_retention_period", { default: 1 });
    if (!retention.ok) return [retention.problem];
    return retention.value >= context.minBackupRetentionInDays
      ? []
      : [
          `\`backup_retention_period\` is ${days(retention.value)}; ${context.stage} needs at least ${context.minBackupRetentionInDays}`,
        ];
  },
});
