import { resourceRule } from "../define";

/** Replicas sit in other availability zones than their primary, and failover may cross zones. */
export const elasticacheMultiAz = resourceRule({
  id: "elasticache-multi-az",
  types: ["aws_elasticache_replication_group"],
  fix: "Set `multiAzEnabled: true` (needs automatic failover and a replica per shard).",
  check(group, stack) {
    const enabled = stack.bool(group.body, "multi_az_enabled", { default: false });
    if (!enabled.ok) return [enabled.problem];
    return enabled.value ? [] : ["`multi_az_enabled` is false or not set"];
  },
});
