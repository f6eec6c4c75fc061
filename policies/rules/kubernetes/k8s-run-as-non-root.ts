import { WORKLOAD_TYPES } from "../../terraform/kubernetes";
import { resourceRule, type Problem } from "../define";
import { eachContainer, securitySetting } from "./containers";

/** Every container runs as a non-root user, enforced by the kubelet (`runAsNonRoot`). */
export const k8sRunAsNonRoot = resourceRule({
  id: "k8s-run-as-non-root",
  types: WORKLOAD_TYPES,
  fix: "Set `securityContext: { runAsNonRoot: true, runAsUser: <uid ≥ 1000> }` on the pod or the container.",
  check: eachContainer(true, (container, pod, stack) => {
    const problems: Problem[] = [];
    const where = securitySetting(stack, container, pod, "run_as_non_root", true);
    const nonRoot = where ? stack.bool(where, "security_context.run_as_non_root") : undefined;
    if (!nonRoot) problems.push("`run_as_non_root` is not set on the container or the pod");
    else if (!nonRoot.ok) problems.push(nonRoot.problem);
    else if (!nonRoot.value) problems.push("`run_as_non_root` is false");
    const userAt = securitySetting(stack, container, pod, "run_as_user", true);
    if (userAt) {
      const uid = stack.number(userAt, "security_context.run_as_user");
      if (!uid.ok) problems.push(uid.problem);
      else if (uid.value === 0) problems.push("`run_as_user` is 0 (root)");
    }
    return problems;
  }),
});
