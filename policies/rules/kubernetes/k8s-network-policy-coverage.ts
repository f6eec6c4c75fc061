import { coverageProblems, LONG_RUNNING_TYPES } from "../../terraform/kubernetes";
import { resourceRule } from "../define";

/**
 * A NetworkPolicy selects the pods of every long-running workload and restricts their ingress:
 * only what the policy admits reaches them (with a CNI that enforces policies — the VPC CNI's
 * network policy agent on EKS).
 */
export const k8sNetworkPolicyCoverage = resourceRule({
  id: "k8s-network-policy-coverage",
  types: LONG_RUNNING_TYPES,
  fix: "Add a `kubernetes_network_policy_v1` in the same namespace whose `podSelector` matches the pod labels and lists the allowed ingress.",
  check: (workload, stack) =>
    coverageProblems(stack, workload, {
      types: ["kubernetes_network_policy_v1", "kubernetes_network_policy"],
      selectorPath: "spec.pod_selector",
      // An empty pod_selector ({} or absent in the JSON) selects every pod of the namespace.
      emptySelectsAll: true,
      // Only a policy that restricts ingress counts: `policy_types` says so, or, when absent,
      // the policy has ingress rules and Kubernetes treats it as an ingress policy.
      counts: (stack, policy) => {
        const types = stack.strings(policy.body, "spec.policy_types");
        return types.ok ? types.value.includes("Ingress") : true;
      },
      missing: (namespace) =>
        `no NetworkPolicy in namespace "${namespace}" restricts ingress to the pods`,
    }),
});
