import { podTemplate, WORKLOAD_TYPES } from "../../terraform/kubernetes";
import { resourceRule, type Problem } from "../define";

const HOST_NAMESPACES = ["host_network", "host_pid", "host_ipc"];

/** Pods do not share the node's network, process or IPC namespaces. */
export const k8sHostNamespaces = resourceRule({
  id: "k8s-host-namespaces",
  types: WORKLOAD_TYPES,
  fix: "Remove `hostNetwork`, `hostPid` and `hostIpc` from the pod spec.",
  check(workload, stack) {
    const pod = podTemplate(stack, workload);
    if (!pod.ok) return [pod.problem];
    const problems: Problem[] = [];
    for (const key of HOST_NAMESPACES) {
      const shared = stack.bool(pod.value.spec, key, { default: false });
      if (!shared.ok) problems.push(shared.problem);
      else if (shared.value) problems.push(`\`${key}\` is true`);
    }
    return problems;
  },
});
