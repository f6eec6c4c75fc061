import { WORKLOAD_TYPES } from "../../terraform/kubernetes";
import { resourceRule } from "../define";
import { eachContainer } from "./containers";

/** Containers cannot write to their image's filesystem; scratch space is an explicit emptyDir. */
export const k8sReadOnlyRootFilesystem = resourceRule({
  id: "k8s-read-only-root-filesystem",
  types: WORKLOAD_TYPES,
  fix: "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the process writes (e.g. /tmp).",
  check: eachContainer(true, (container, _pod, stack) => {
    const readOnly = stack.bool(container.body, "security_context.read_only_root_filesystem", {
      default: false,
    });
    if (!readOnly.ok) return [readOnly.problem];
    return readOnly.value ? [] : ["`read_only_root_filesystem` is false or not set"];
  }),
});
