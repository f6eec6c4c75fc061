import { resourceRule } from "../define";

/** A failed primary is replaced by a replica automatically. */
export const elasticacheAutomaticFailover = resourceRule({
  id: "elasticache-automatic-failover",
  types: ["aws_elasticache_replication_group"],
  fix: "Set `automaticFailoverEnabled: true` with at least one replica per shard (config `redis.replicasPerShard`).",
  check(group, stack) {
    const enabled = stack.bool(group.body, "automatic_failover_enabled", { default: false });
    if (!enabled.ok) return [enabled.problem];
    return enabled.value ? [] : ["`automatic_failover_enabled` is false or not set"];
  },
});
