import { resourceRule } from "../define";

/**
 * Cluster access is granted through EKS access entries only (`authentication_mode = "API"`):
 * each grant is an AWS API object, logged in CloudTrail and managed in code, unlike the
 * aws-auth ConfigMap, which anyone with edit rights in kube-system can change.
 */
export const eksAuthModeApi = resourceRule({
  id: "eks-auth-mode-api",
  types: ["aws_eks_cluster"],
  fix: 'Set `accessConfig: { authenticationMode: "API" }` and grant access with `aws_eks_access_entry` / `aws_eks_access_policy_association`.',
  check(cluster, stack) {
    const mode = stack.string(cluster.body, "access_config.authentication_mode");
    if (!mode.ok) return [`${mode.problem} (EKS then keeps the aws-auth ConfigMap)`];
    return mode.value === "API"
      ? []
      : [`\`access_config.authentication_mode\` is "${mode.value}", not "API"`];
  },
});
