/**
 * Kubernetes workloads as the kubernetes provider synthesizes them: `metadata`, `spec` and pod
 * templates are objects, `container` / `init_container` are arrays.
 */
import { isJsonObject, type JsonObject } from "./json";
import { ok, unreadable, type Read, type StackView, type TfBlock } from "./stack-view";

/** Resource types that run pods, with the path of their pod template below the block. */
const POD_TEMPLATES: Readonly<Record<string, string>> = {
  kubernetes_deployment_v1: "spec.template",
  kubernetes_deployment: "spec.template",
  kubernetes_stateful_set_v1: "spec.template",
  kubernetes_daemon_set_v1: "spec.template",
  kubernetes_job_v1: "spec.template",
  kubernetes_job: "spec.template",
  kubernetes_cron_job_v1: "spec.job_template.spec.template",
};
export const WORKLOAD_TYPES = Object.keys(POD_TEMPLATES);
export const DEPLOYMENT_TYPES = ["kubernetes_deployment_v1", "kubernetes_deployment"];

/** Types whose pods serve continuously (and so need probes, PDBs...). */
export const LONG_RUNNING_TYPES = [
  ...DEPLOYMENT_TYPES,
  "kubernetes_stateful_set_v1",
  "kubernetes_daemon_set_v1",
];

export interface Container {
  /** `container "api"` or `init_container "migrate"`, for messages. */
  readonly label: string;
  readonly init: boolean;
  readonly body: JsonObject;
}

export interface PodTemplate {
  readonly labels: Read<Record<string, string>>;
  readonly spec: JsonObject;
  readonly containers: readonly Container[];
}

/** The pod template of a workload, or why it cannot be read. */
export function podTemplate(stack: StackView, workload: TfBlock): Read<PodTemplate> {
  const path = POD_TEMPLATES[workload.type];
  const template = path ? stack.raw(workload.body, path) : undefined;
  const spec = isJsonObject(template) ? stack.raw(template, "spec") : undefined;
  if (!isJsonObject(template) || !isJsonObject(spec)) {
    return unreadable(`\`${path}.spec\` is not set`);
  }
  const containers: Container[] = [];
  for (const [key, init] of [
    ["container", false],
    ["init_container", true],
  ] as const) {
    const blocks = stack.blocksOf(spec, key);
    if (!blocks.ok) return blocks;
    for (const [i, c] of blocks.value.entries()) {
      const name = typeof c.name === "string" ? c.name : `#${i + 1}`;
      containers.push({ label: `${key} "${name}"`, init, body: c });
    }
  }
  if (!containers.some((c) => !c.init)) return unreadable("the pod template has no container");
  return ok({ labels: readLabels(stack, template, "metadata.labels"), spec, containers });
}

/** A map of literal strings (labels, match_labels); `{}` when absent. */
export function readLabels(
  stack: StackView,
  obj: JsonObject,
  path: string,
): Read<Record<string, string>> {
  const value = stack.attr(obj, path);
  if (value.kind === "missing") return ok({});
  if (value.kind !== "literal" || !isJsonObject(value.value)) {
    return unreadable(`\`${path}\` cannot be read at synth time`);
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(value.value)) {
    const resolved = stack.resolve(v);
    if (resolved.kind !== "literal" || typeof resolved.value !== "string") {
      return unreadable(`\`${path}.${k}\` cannot be read at synth time`);
    }
    labels[k] = resolved.value;
  }
  return ok(labels);
}

/**
 * The namespace a namespaced object lives in: `metadata.namespace`, a reference to a
 * `kubernetes_namespace(_v1)` of the stack, or "default" when not set.
 */
export function namespaceOf(stack: StackView, block: TfBlock): Read<string> {
  const value = stack.attr(block.body, "metadata.namespace");
  if (value.kind === "missing") return ok("default");
  if (value.kind === "literal" && typeof value.value === "string") return ok(value.value);
  if (
    value.kind === "reference" &&
    /^kubernetes_namespace(_v1)?$/.test(value.target.type) &&
    value.attribute === "id"
  ) {
    return stack.viewOf(value.target).string(value.target.body, "metadata.name");
  }
  return unreadable("`metadata.namespace` cannot be read at synth time");
}

/** The `name` of a Kubernetes object. */
export function nameOf(stack: StackView, block: TfBlock): Read<string> {
  return stack.string(block.body, "metadata.name");
}

/**
 * Does a label selector (`match_labels` / `match_expressions`) select pods with `labels`?
 * An empty selector selects every pod of the namespace.
 */
export function selects(
  stack: StackView,
  selector: JsonObject,
  labels: Readonly<Record<string, string>>,
): Read<boolean> {
  const matchLabels = readLabels(stack, selector, "match_labels");
  if (!matchLabels.ok) return matchLabels;
  if (Object.entries(matchLabels.value).some(([k, v]) => labels[k] !== v)) return ok(false);
  const expressions = stack.blocksOf(selector, "match_expressions");
  if (!expressions.ok) return expressions;
  for (const e of expressions.value) {
    const key = stack.string(e, "key");
    const operator = stack.string(e, "operator");
    const values = stack.strings(e, "values", { default: [] });
    if (!key.ok || !operator.ok || !values.ok) {
      return unreadable("a `match_expressions` entry cannot be read at synth time");
    }
    const has = key.value in labels;
    const value = labels[key.value];
    const match =
      operator.value === "In"
        ? has && values.value.includes(value)
        : operator.value === "NotIn"
          ? !has || !values.value.includes(value)
          : operator.value === "Exists"
            ? has
            : operator.value === "DoesNotExist"
              ? !has
              : undefined;
    if (match === undefined) return unreadable(`unknown selector operator "${operator.value}"`);
    if (!match) return ok(false);
  }
  return ok(true);
}

/** What a covering resource (a PodDisruptionBudget, a NetworkPolicy) is and how it selects. */
export interface CoverageKind {
  /** Resource types that can cover a workload. */
  readonly types: readonly string[];
  /** Path of the label selector in the resource's body. */
  readonly selectorPath: string;
  /** An absent or empty selector selects every pod of the namespace (NetworkPolicy does). */
  readonly emptySelectsAll: boolean;
  /** Whether this resource counts at all (e.g. a NetworkPolicy that restricts ingress). */
  readonly counts?: (stack: StackView, resource: TfBlock) => boolean;
  /** The finding when nothing covers the pods, e.g. `no PodDisruptionBudget ... selects`. */
  readonly missing: (namespace: string) => string;
}

/**
 * Problems with a workload's coverage: [] when a resource of `kind` in the workload's namespace
 * selects its pods; the reason otherwise (including a value that cannot be read: fail closed).
 */
export function coverageProblems(
  stack: StackView,
  workload: TfBlock,
  kind: CoverageKind,
): string[] {
  const pod = podTemplate(stack, workload);
  if (!pod.ok) return [pod.problem];
  if (!pod.value.labels.ok) return [pod.value.labels.problem];
  const namespace = namespaceOf(stack, workload);
  if (!namespace.ok) return [namespace.problem];
  for (const resource of stack.resources(...kind.types)) {
    const ns = namespaceOf(stack, resource);
    if (!ns.ok || ns.value !== namespace.value) continue;
    if (kind.counts && !kind.counts(stack, resource)) continue;
    const selector = stack.raw(resource.body, kind.selectorPath);
    let match: Read<boolean>;
    if (isJsonObject(selector)) match = selects(stack, selector, pod.value.labels.value);
    else if (selector === undefined || selector === null) {
      if (!kind.emptySelectsAll) continue;
      match = ok(true);
    } else match = unreadable(`\`${kind.selectorPath}\` cannot be read at synth time`);
    if (!match.ok) return [`${resource.address}: ${match.problem}`];
    if (match.value) return [];
  }
  return [kind.missing(namespace.value)];
}
