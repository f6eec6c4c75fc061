import { readCustomerManagedKey } from "../../terraform/kms";
import { resourceRule } from "../define";

/** Aurora storage, snapshots and backups are encrypted with a customer-managed KMS key. */
export const auroraStorageEncrypted = resourceRule({
  id: "aurora-storage-encrypted",
  types: ["aws_rds_cluster"],
  fix: "Set `storageEncrypted: true` and `kmsKeyId: <database key>.arn` (encryption cannot be added to an existing cluster: it means a snapshot restore).",
  check(cluster, stack) {
    const encrypted = stack.bool(cluster.body, "storage_encrypted", { default: false });
    if (!encrypted.ok) return [encrypted.problem];
    if (!encrypted.value) return ["`storage_encrypted` is false or not set"];
    const key = readCustomerManagedKey(stack, cluster.body, "kms_key_id");
    return key.ok ? [] : [`${key.problem} (RDS then uses the AWS managed aws/rds key)`];
  },
});
