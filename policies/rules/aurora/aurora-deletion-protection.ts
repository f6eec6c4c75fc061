import { resourceRule } from "../define";

/** The cluster has deletion protection: neither a plan nor a console click can delete it. */
export const auroraDeletionProtection = resourceRule({
  id: "aurora-deletion-protection",
  types: ["aws_rds_cluster"],
  fix: "Set `deletionProtection: true` (config `aurora.deletionProtection`).",
  check(cluster, stack) {
    const enabled = stack.bool(cluster.body, "deletion_protection", { default: false });
    if (!enabled.ok) return [enabled.problem];
    return enabled.value ? [] : ["`deletion_protection` is false or not set"];
  },
});
