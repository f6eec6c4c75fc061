import { resourceRule } from "../define";

/**
 * Node groups boot from a launch template of the stack, so that IMDSv2, the hop limit and
 * encrypted volumes are set in code (the launch-template rules then check them).
 */
export const eksNodeGroupLaunchTemplate = resourceRule({
  id: "eks-node-group-launch-template",
  types: ["aws_eks_node_group"],
  fix: "Give the node group `launchTemplate: { id: <aws_launch_template>.id, version: ... }` from a template the stack declares.",
  check(group, stack) {
    const byId = stack.attr(group.body, "launch_template.id");
    const byName = stack.attr(group.body, "launch_template.name");
    const value = byId.kind !== "missing" ? byId : byName;
    if (value.kind === "missing") {
      return [
        "the node group has no `launch_template`: its instances get EKS's defaults (IMDS reachable from pods, volumes per account default)",
      ];
    }
    const template = stack.referenceTo("launch_template.id", value, ["aws_launch_template"]);
    return template.ok ? [] : [template.problem];
  },
});
