import { resourceRule } from "../define";

/** Destroying the cluster leaves a final snapshot behind. */
export const auroraFinalSnapshot = resourceRule({
  id: "aurora-final-snapshot",
  types: ["aws_rds_cluster"],
  fix: "Set `skipFinalSnapshot: false` and a `finalSnapshotIdentifier` (config `aurora.finalSnapshot`).",
  check(cluster, stack) {
    const skip = stack.bool(cluster.body, "skip_final_snapshot", { default: false });
    if (!skip.ok) return [skip.problem];
    if (skip.value) return ["`skip_final_snapshot` is true"];
    const id = stack.string(cluster.body, "final_snapshot_identifier");
    return id.ok ? [] : [`${id.problem}: destroy fails, or is forced with skip_final_snapshot`];
  },
});
