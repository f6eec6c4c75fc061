import { expect, resourceRule } from "../define";

export const CONTROL_PLANE_LOG_TYPES = [
  "api",
  "audit",
  "authenticator",
  "controllerManager",
  "scheduler",
];

/** The control plane ships all five log types to CloudWatch: API, audit, authenticator, controller manager, scheduler. */
export const eksControlPlaneLogging = resourceRule({
  id: "eks-control-plane-logging",
  types: ["aws_eks_cluster"],
  fix: `Set \`enabledClusterLogTypes: ${JSON.stringify(CONTROL_PLANE_LOG_TYPES)}\` and create the \`/aws/eks/<cluster>/cluster\` log group with retention and a KMS key.`,
  check: (cluster, stack) =>
    expect(stack.strings(cluster.body, "enabled_cluster_log_types", { default: [] }), (types) => {
      const missing = CONTROL_PLANE_LOG_TYPES.filter((t) => !types.includes(t));
      return missing.length > 0 ? [`control-plane logs not enabled: ${missing.join(", ")}`] : [];
    }),
});
