import type { PolicyContext } from "../../model";
import type { JsonObject } from "../../terraform/json";
import { podTemplate, type Container, type PodTemplate } from "../../terraform/kubernetes";
import type { StackView, TfBlock } from "../../terraform/stack-view";
import type { Problem } from "../define";

/**
 * Runs `check` on each container of a workload's pod template (init containers too unless
 * `includeInit` is false) and prefixes each problem with the container it is about.
 */
export function eachContainer(
  includeInit: boolean,
  check: (
    container: Container,
    pod: PodTemplate,
    stack: StackView,
    context: PolicyContext,
  ) => readonly Problem[],
) {
  return (workload: TfBlock, stack: StackView, context: PolicyContext): Problem[] => {
    const pod = podTemplate(stack, workload);
    if (!pod.ok) return [pod.problem];
    return pod.value.containers
      .filter((c) => includeInit || !c.init)
      .flatMap((c) =>
        check(c, pod.value, stack, context).map((p) =>
          typeof p === "string"
            ? `${c.label}: ${p}`
            : { ...p, message: `${c.label}: ${p.message}` },
        ),
      );
  };
}

/** A security context setting: the container's, else the pod's (for settings both levels take). */
export function securitySetting(
  stack: StackView,
  container: Container,
  pod: PodTemplate,
  path: string,
  podLevel: boolean,
): JsonObject | undefined {
  const own = stack.raw(container.body, `security_context.${path}`);
  if (own !== undefined && own !== null) return container.body;
  if (podLevel && stack.raw(pod.spec, `security_context.${path}`) !== undefined) return pod.spec;
  return undefined;
}
