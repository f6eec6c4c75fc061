import { LONG_RUNNING_TYPES } from "../../terraform/kubernetes";
import { resourceRule } from "../define";
import { eachContainer } from "./containers";

const PROBES = ["liveness_probe", "readiness_probe", "startup_probe"];

/**
 * Every container of a long-running workload has liveness, readiness and startup probes:
 * traffic reaches only ready pods, hung ones restart, and slow starts are not killed.
 */
export const k8sProbes = resourceRule({
  id: "k8s-probes",
  types: LONG_RUNNING_TYPES,
  fix: "Add `livenessProbe`, `readinessProbe` and `startupProbe` (the service exposes /health/live and /health/ready).",
  check: eachContainer(false, (container, _pod, stack) => {
    const missing = PROBES.filter((p) => {
      const probe = stack.raw(container.body, p);
      return probe === undefined || probe === null;
    });
    return missing.length > 0 ? [`no ${missing.join(", ")}`] : [];
  }),
});
