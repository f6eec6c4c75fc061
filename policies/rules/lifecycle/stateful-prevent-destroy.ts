import { prodOnly, resourceRule } from "../define";

/** Resources whose loss loses data, or the means to read it. */
export const STATEFUL_TYPES = [
  "aws_rds_cluster",
  "aws_rds_cluster_instance",
  "aws_elasticache_replication_group",
  "aws_kms_key",
  "aws_ecr_repository",
];

/**
 * In prod, Terraform refuses any plan that would destroy a stateful resource
 * (`lifecycle.prevent_destroy`): a renamed construct id or a wrong replacement cannot take the
 * database, the cache, a key or the image repository with it.
 */
export const statefulPreventDestroy = resourceRule({
  id: "stateful-prevent-destroy",
  types: STATEFUL_TYPES,
  skip: prodOnly,
  fix: "Set `lifecycle: { preventDestroy: true }` on the resource (through the construct's prop).",
  check(block, stack) {
    const prevent = stack.bool(block.body, "lifecycle.prevent_destroy", { default: false });
    if (!prevent.ok) return [prevent.problem];
    return prevent.value ? [] : ["`lifecycle.prevent_destroy` is not true"];
  },
});
