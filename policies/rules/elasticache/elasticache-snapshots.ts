import { days, resourceRule } from "../define";

/**
 * The cache keeps daily snapshots: at least 1 day anywhere, 7 in prod (REFERENCE.md), so that
 * rate-limit and lock state can be restored after a loss.
 */
export const elasticacheSnapshots = resourceRule({
  id: "elasticache-snapshots",
  types: ["aws_elasticache_replication_group"],
  fix: "Raise `snapshotRetentionLimit` (config `redis.snapshotRetentionInDays`) and set a `snapshotWindow`.",
  check(group, stack, context) {
    const retention = stack.number(group.body, "snapshot_retention_limit", { default: 0 });
    if (!retention.ok) return [retention.problem];
    return retention.value >= context.minCacheSnapshotRetentionInDays
      ? []
      : [
          `\`snapshot_retention_limit\` is ${days(retention.value)}; ${context.stage} needs at least ${context.minCacheSnapshotRetentionInDays}`,
        ];
  },
});
