import { resourceRule } from "../define";

/**
 * The cluster refuses unencrypted connections: its cluster parameter group sets
 * `rds.force_ssl = 1` (the default parameter group of PostgreSQL < 15 does not).
 */
export const auroraForceSsl = resourceRule({
  id: "aurora-force-ssl",
  types: ["aws_rds_cluster"],
  fix: 'Give the cluster its own `aws_rds_cluster_parameter_group` with `parameter: [{ name: "rds.force_ssl", value: "1" }]`.',
  check(cluster, stack) {
    if (stack.attr(cluster.body, "db_cluster_parameter_group_name").kind === "missing") {
      return [
        "`db_cluster_parameter_group_name` is not set: the default group is used, which cannot be checked here",
      ];
    }
    const group = stack.refersTo(
      cluster.body,
      "db_cluster_parameter_group_name",
      ["aws_rds_cluster_parameter_group"],
      "name",
    );
    if (!group.ok) return [group.problem];
    const view = stack.viewOf(group.value);
    const parameters = view.blocksOf(group.value.body, "parameter");
    if (!parameters.ok) return [`${group.value.address}: ${parameters.problem}`];
    const forceSsl = parameters.value.find((p) => p.name === "rds.force_ssl");
    if (!forceSsl) return [`${group.value.address} does not set \`rds.force_ssl\``];
    const value = view.string(forceSsl, "value");
    if (!value.ok) return [`${group.value.address}: rds.force_ssl ${value.problem}`];
    return value.value === "1"
      ? []
      : [`${group.value.address} sets \`rds.force_ssl\` to "${value.value}"`];
  },
});
