import { readCustomerManagedKey } from "../../terraform/kms";
import { resourceRule } from "../define";

/** Cache data, snapshots and swap are encrypted at rest with a customer-managed key. */
export const elasticacheAtRestEncryption = resourceRule({
  id: "elasticache-at-rest-encryption",
  types: ["aws_elasticache_replication_group"],
  fix: 'Set `atRestEncryptionEnabled: "true"` and `kmsKeyId: <cache key>.arn` (changing either replaces the group).',
  check(group, stack) {
    const enabled = stack.bool(group.body, "at_rest_encryption_enabled");
    if (!enabled.ok) return [enabled.problem];
    if (!enabled.value) return ["`at_rest_encryption_enabled` is false"];
    const key = readCustomerManagedKey(stack, group.body, "kms_key_id");
    return key.ok ? [] : [`${key.problem} (ElastiCache then uses an AWS managed key)`];
  },
});
