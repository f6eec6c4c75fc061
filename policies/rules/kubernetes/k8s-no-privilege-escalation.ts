import { WORKLOAD_TYPES } from "../../terraform/kubernetes";
import { resourceRule, type Problem } from "../define";
import { eachContainer } from "./containers";

/**
 * No container is privileged or can gain privileges (setuid binaries, file capabilities):
 * `allowPrivilegeEscalation` must be false explicitly — Kubernetes defaults it to true.
 */
export const k8sNoPrivilegeEscalation = resourceRule({
  id: "k8s-no-privilege-escalation",
  types: WORKLOAD_TYPES,
  fix: "Set `securityContext: { allowPrivilegeEscalation: false }` and remove `privileged: true`.",
  check: eachContainer(true, (container, _pod, stack) => {
    const problems: Problem[] = [];
    const escalation = stack.bool(container.body, "security_context.allow_privilege_escalation", {
      default: true,
    });
    if (!escalation.ok) problems.push(escalation.problem);
    else if (escalation.value)
      problems.push(
        "`allow_privilege_escalation` is true or not set (Kubernetes defaults it to true)",
      );
    const privileged = stack.bool(container.body, "security_context.privileged", {
      default: false,
    });
    if (!privileged.ok) problems.push(privileged.problem);
    else if (privileged.value) problems.push("`privileged` is true");
    return problems;
  }),
});
