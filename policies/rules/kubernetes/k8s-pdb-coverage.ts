import { coverageProblems, LONG_RUNNING_TYPES } from "../../terraform/kubernetes";
import { resourceRule } from "../define";

/**
 * A PodDisruptionBudget covers the pods of every long-running workload, so that node drains
 * (upgrades, scale-in) keep enough of them serving.
 */
export const k8sPdbCoverage = resourceRule({
  id: "k8s-pdb-coverage",
  types: LONG_RUNNING_TYPES,
  fix: "Add a `kubernetes_pod_disruption_budget_v1` in the same namespace whose selector matches the pod labels (e.g. `maxUnavailable: 1`).",
  check: (workload, stack) =>
    coverageProblems(stack, workload, {
      types: ["kubernetes_pod_disruption_budget_v1", "kubernetes_pod_disruption_budget"],
      selectorPath: "spec.selector",
      // A PDB without a selector selects nothing.
      emptySelectsAll: false,
      missing: (namespace) => `no PodDisruptionBudget in namespace "${namespace}" selects the pods`,
    }),
});
