import { resourceRule, type Problem } from "../define";

/**
 * Autoscaler bounds make sense: at least 2 replicas in prod (one pod is one failure away from an
 * outage), and a minimum no larger than the maximum.
 */
export const k8sHpaBounds = resourceRule({
  id: "k8s-hpa-bounds",
  types: [
    "kubernetes_horizontal_pod_autoscaler_v2",
    "kubernetes_horizontal_pod_autoscaler_v1",
    "kubernetes_horizontal_pod_autoscaler",
  ],
  fix: "Set `minReplicas` ≥ 2 in prod and ≤ `maxReplicas` (config `service.replicas`).",
  check(hpa, stack, context) {
    const min = stack.number(hpa.body, "spec.min_replicas", { default: 1 });
    const max = stack.number(hpa.body, "spec.max_replicas");
    const problems: Problem[] = [];
    if (!min.ok) problems.push(min.problem);
    if (!max.ok) problems.push(max.problem);
    if (!min.ok || !max.ok) return problems;
    if (min.value > max.value)
      problems.push(`\`min_replicas\` (${min.value}) is above \`max_replicas\` (${max.value})`);
    if (context.stage === "prod" && min.value < 2)
      problems.push(`\`min_replicas\` is ${min.value} in prod; at least 2 are needed`);
    return problems;
  },
});
