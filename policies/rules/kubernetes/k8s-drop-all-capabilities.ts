import { WORKLOAD_TYPES } from "../../terraform/kubernetes";
import { resourceRule, type Problem } from "../define";
import { eachContainer } from "./containers";

/** Containers drop every Linux capability and add back at most NET_BIND_SERVICE (the restricted Pod Security Standard). */
export const k8sDropAllCapabilities = resourceRule({
  id: "k8s-drop-all-capabilities",
  types: WORKLOAD_TYPES,
  fix: 'Set `securityContext.capabilities: { drop: ["ALL"] }`.',
  check: eachContainer(true, (container, _pod, stack) => {
    const problems: Problem[] = [];
    const drop = stack.strings(container.body, "security_context.capabilities.drop", {
      default: [],
    });
    if (!drop.ok) problems.push(drop.problem);
    else if (!drop.value.includes("ALL"))
      problems.push('`capabilities.drop` does not include "ALL"');
    const add = stack.strings(container.body, "security_context.capabilities.add", { default: [] });
    if (!add.ok) problems.push(add.problem);
    else {
      const extra = add.value.filter((c) => c !== "NET_BIND_SERVICE");
      if (extra.length > 0) problems.push(`\`capabilities.add\` adds ${extra.join(", ")}`);
    }
    return problems;
  }),
});
