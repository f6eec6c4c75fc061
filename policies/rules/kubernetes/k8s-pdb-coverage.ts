import { LONG_RUNNING_TYPES, namespaceOf, podTemplate, selects } from "../../terraform/kubernetes";
import type { JsonObject } from "../../terraform/json";
import { resourceRule } from "../define";

/**
 * A PodDisruptionBudget covers the pods of every long-running workload, so that node drains
 * (upgrades, scale-in) keep enough of them serving.
 */
export const k8sPdbCoverage = resourceRule({
  id: "k8s-pdb-coverage",
  types: LONG_RUNNING_TYPES,
  fix: "Add a `kubernetes_pod_disruption_budget_v1` in the same namespace whose selector matches the pod labels (e.g. `maxUnavailable: 1`).",
  check(workload, stack) {
    const pod = podTemplate(stack, workload);
    if (!pod.ok) return [pod.problem];
    if (!pod.value.labels.ok) return [pod.value.labels.problem];
    const namespace = namespaceOf(stack, workload);
    if (!namespace.ok) return [namespace.problem];
    for (const pdb of stack.resources(
      "kubernetes_pod_disruption_budget_v1",
      "kubernetes_pod_disruption_budget",
    )) {
      const ns = namespaceOf(stack, pdb);
      const selector = stack.raw(pdb.body, "spec.selector");
      if (!ns.ok || ns.value !== namespace.value || selector === undefined || selector === null)
        continue;
      const match = selects(stack, selector as JsonObject, pod.value.labels.value);
      if (!match.ok) return [`${pdb.address}: ${match.problem}`];
      if (match.value) return [];
    }
    return [`no PodDisruptionBudget in namespace "${namespace.value}" selects the pods`];
  },
});
