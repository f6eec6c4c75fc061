import { resourceRule } from "../define";

/** Clients must use TLS: transit encryption on, in "required" mode (not "preferred"). */
export const elasticacheInTransitEncryption = resourceRule({
  id: "elasticache-in-transit-encryption",
  types: ["aws_elasticache_replication_group"],
  fix: 'Set `transitEncryptionEnabled: true` (config `redis.transitEncryption`) and leave `transitEncryptionMode` unset or "required".',
  check(group, stack) {
    const enabled = stack.bool(group.body, "transit_encryption_enabled", { default: false });
    if (!enabled.ok) return [enabled.problem];
    if (!enabled.value)
      return [
        "`transit_encryption_enabled` is false or not set: clients talk to Redis in clear text",
      ];
    const mode = stack.string(group.body, "transit_encryption_mode", { default: "required" });
    if (!mode.ok) return [mode.problem];
    return mode.value === "required"
      ? []
      : [`\`transit_encryption_mode\` is "${mode.value}": clear-text clients are still accepted`];
  },
});
