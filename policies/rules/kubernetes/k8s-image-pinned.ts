import type { Value } from "../../terraform/stack-view";
import { WORKLOAD_TYPES } from "../../terraform/kubernetes";
import { describeUnreadable } from "../../terraform/stack-view";
import { resourceRule } from "../define";
import { eachContainer } from "./containers";

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const TAG = /:([\w][\w.-]{0,127})$/;

/**
 * The part of an image reference that is known at synth time: the whole literal, or what follows
 * the last interpolation (`${repository_url}:1.4.2` → `:1.4.2`).
 */
function knownSuffix(raw: unknown, value: Value): string | undefined {
  if (value.kind === "literal" && typeof value.value === "string") return value.value;
  if (typeof raw === "string" && raw.includes("${")) return raw.slice(raw.lastIndexOf("}") + 1);
  return undefined;
}

/** Judges an image reference: undefined when pinned, else what is wrong. */
export function imageProblem(image: string): string | undefined {
  if (DIGEST.test(image)) return undefined;
  const tag = TAG.exec(image.slice(image.lastIndexOf("/") + 1))?.[1];
  if (tag === undefined) return `image "${image}" has no tag: it means "latest"`;
  if (tag === "latest") return `image "${image}" uses the "latest" tag`;
  return undefined;
}

/**
 * Every image is pinned by a version tag (in a repository with immutable tags) or a digest —
 * never `latest` or no tag — so a rollout runs exactly what was reviewed.
 */
export const k8sImagePinned = resourceRule({
  id: "k8s-image-pinned",
  types: WORKLOAD_TYPES,
  fix: "Reference the image by its release tag (config `service.imageTag`) or by `@sha256:` digest.",
  check: eachContainer(true, (container, _pod, stack) => {
    const raw = stack.raw(container.body, "image");
    const value = stack.attr(container.body, "image");
    const suffix = knownSuffix(raw, value);
    if (suffix === undefined || suffix === "") {
      return [`${describeUnreadable("image", value)}: its tag cannot be read`];
    }
    const problem = imageProblem(suffix);
    return problem ? [problem] : [];
  }),
});
