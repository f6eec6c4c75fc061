import { WORKLOAD_TYPES } from "../../terraform/kubernetes";
import { resourceRule } from "../define";
import { eachContainer } from "./containers";

const REQUIRED = ["requests.cpu", "requests.memory", "limits.memory"];

/**
 * Every container requests CPU and memory and has a memory limit: the scheduler places pods on
 * real capacity and one leaking pod cannot starve its node. A CPU limit is not required — it
 * throttles a pod even when the node is idle; the config's `service.resources.cpuLimit` adds
 * one where wanted.
 */
export const k8sResources = resourceRule({
  id: "k8s-resources",
  types: WORKLOAD_TYPES,
  fix: "Set `resources: { requests: { cpu, memory }, limits: { memory } }` (config `service.resources`).",
  check: eachContainer(true, (container, _pod, stack) => {
    const at = (path: string) => `resources.${path}`;
    const missing = REQUIRED.filter((p) => stack.attr(container.body, at(p)).kind === "missing");
    const unread = REQUIRED.filter((p) => !missing.includes(p)).flatMap((p) => {
      const quantity = stack.string(container.body, at(p));
      return quantity.ok ? [] : [quantity.problem];
    });
    return [
      ...(missing.length > 0 ? [`\`resources\` lacks ${missing.join(", ")}`] : []),
      ...unread,
    ];
  }),
});
