import { WORKLOAD_TYPES } from "../../terraform/kubernetes";
import { resourceRule } from "../define";
import { eachContainer, securitySetting } from "./containers";

/** Containers run under the runtime's default seccomp profile (or a node-local one), not Unconfined. */
export const k8sSeccompRuntimeDefault = resourceRule({
  id: "k8s-seccomp-runtime-default",
  types: WORKLOAD_TYPES,
  fix: 'Set `securityContext.seccompProfile: { type: "RuntimeDefault" }` on the pod.',
  check: eachContainer(true, (container, pod, stack) => {
    const where = securitySetting(stack, container, pod, "seccomp_profile", true);
    if (!where)
      return [
        "no `seccomp_profile` on the container or the pod (the runtime then runs it Unconfined)",
      ];
    const type = stack.string(where, "security_context.seccomp_profile.type");
    if (!type.ok) return [type.problem];
    return type.value === "RuntimeDefault" || type.value === "Localhost"
      ? []
      : [`\`seccomp_profile.type\` is "${type.value}"`];
  }),
});
