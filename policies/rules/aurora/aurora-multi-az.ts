import type { Read, StackView, TfBlock } from "../../terraform/stack-view";
import { resourceRule } from "../define";

function instancesOf(stack: StackView, cluster: TfBlock): TfBlock[] {
  return stack
    .resources("aws_rds_cluster_instance")
    .filter((i) =>
      stack.pointsAt(stack.attr(i.body, "cluster_identifier"), cluster, "cluster_identifier"),
    );
}

/**
 * The cluster has a writer and at least one reader, placed in more than one availability zone:
 * failover then promotes a reader in another zone within a minute or so, instead of waiting for
 * a new instance.
 */
export const auroraMultiAz = resourceRule({
  id: "aurora-multi-az",
  types: ["aws_rds_cluster"],
  fix: "Create at least one reader (config `aurora.readers`) and set each instance's `availabilityZone` so that they span zones.",
  check(cluster, stack) {
    const instances = instancesOf(stack, cluster);
    if (instances.length < 2) {
      return [
        `the cluster has ${instances.length} instance(s) in the stack; failover needs a reader in another zone`,
      ];
    }
    const zones = instances.map((i): Read<string> => stack.string(i.body, "availability_zone"));
    const unread = zones.flatMap((z, i) =>
      z.ok
        ? []
        : [`${instances[i].address}: ${z.problem} (RDS picks the zone, possibly the writer's)`],
    );
    if (unread.length > 0) return unread;
    const distinct = new Set(zones.map((z) => (z.ok ? z.value : "")));
    return distinct.size >= 2
      ? []
      : [`all ${instances.length} instances are in ${[...distinct].join(", ")}`];
  },
});
