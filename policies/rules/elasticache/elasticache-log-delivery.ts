import { resourceRule } from "../define";

const LOG_TYPES = ["slow-log", "engine-log"];

/** The slow log and the engine log are delivered to CloudWatch Logs (or Firehose). */
export const elasticacheLogDelivery = resourceRule({
  id: "elasticache-log-delivery",
  types: ["aws_elasticache_replication_group"],
  fix: 'Add `logDeliveryConfiguration` entries for "slow-log" and "engine-log" to a log group with retention and a KMS key.',
  check(group, stack) {
    const configs = stack.blocksOf(group.body, "log_delivery_configuration");
    if (!configs.ok) return [configs.problem];
    const delivered = new Set<string>();
    for (const c of configs.value) {
      const type = stack.string(c, "log_type");
      if (!type.ok) return [`log_delivery_configuration: ${type.problem}`];
      if (stack.attr(c, "destination").kind !== "missing") delivered.add(type.value);
    }
    const missing = LOG_TYPES.filter((t) => !delivered.has(t));
    return missing.length > 0 ? [`not delivered: ${missing.join(", ")}`] : [];
  },
});
