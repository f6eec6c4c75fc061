import { LONG_RUNNING_TYPES, namespaceOf, podTemplate, selects } from "../../terraform/kubernetes";
import { isJsonObject } from "../../terraform/json";
import type { StackView, TfBlock } from "../../terraform/stack-view";
import { resourceRule } from "../define";

/** Does the policy restrict ingress? `policy_types` says so, or, when absent, an ingress rule. */
function restrictsIngress(stack: StackView, policy: TfBlock): boolean {
  const types = stack.strings(policy.body, "spec.policy_types");
  return types.ok ? types.value.includes("Ingress") : true;
}

/**
 * A NetworkPolicy selects the pods of every long-running workload and restricts their ingress:
 * only what the policy admits reaches them (with a CNI that enforces policies — the VPC CNI's
 * network policy agent on EKS).
 */
export const k8sNetworkPolicyCoverage = resourceRule({
  id: "k8s-network-policy-coverage",
  types: LONG_RUNNING_TYPES,
  fix: "Add a `kubernetes_network_policy_v1` in the same namespace whose `podSelector` matches the pod labels and lists the allowed ingress.",
  check(workload, stack) {
    const pod = podTemplate(stack, workload);
    if (!pod.ok) return [pod.problem];
    if (!pod.value.labels.ok) return [pod.value.labels.problem];
    const namespace = namespaceOf(stack, workload);
    if (!namespace.ok) return [namespace.problem];
    for (const policy of stack.resources(
      "kubernetes_network_policy_v1",
      "kubernetes_network_policy",
    )) {
      const ns = namespaceOf(stack, policy);
      const selector = stack.raw(policy.body, "spec.pod_selector");
      if (!ns.ok || ns.value !== namespace.value || !restrictsIngress(stack, policy)) continue;
      // An empty pod_selector ({} or absent in the JSON) selects every pod of the namespace.
      const match = isJsonObject(selector)
        ? selects(stack, selector, pod.value.labels.value)
        : { ok: true as const, value: true };
      if (!match.ok) return [`${policy.address}: ${match.problem}`];
      if (match.value) return [];
    }
    return [`no NetworkPolicy in namespace "${namespace.value}" restricts ingress to the pods`];
  },
});
