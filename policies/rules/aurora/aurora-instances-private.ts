import { resourceRule } from "../define";

/** No database instance has a public address. */
export const auroraInstancesPrivate = resourceRule({
  id: "aurora-instances-private",
  types: ["aws_rds_cluster_instance"],
  fix: "Remove `publiclyAccessible: true`; reach the database from inside the VPC.",
  check(instance, stack) {
    const open = stack.bool(instance.body, "publicly_accessible", { default: false });
    if (!open.ok) return [open.problem];
    return open.value ? ["`publicly_accessible` is true"] : [];
  },
});
