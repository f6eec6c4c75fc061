import { Release } from "@cdktf/provider-helm/lib/release";
import { AssetType, type ITerraformDependable, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { createHash } from "node:crypto";
import { mkdirSync, existsSync, renameSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isKnown, validateProps } from "../core";

/**
 * The chart: it renders whatever objects `.Values.manifests` holds. Two files, no dependency,
 * content-addressed (the asset's path carries the hash, so a change re-deploys).
 */
const CHART_FILES: Readonly<Record<string, string>> = {
  "Chart.yaml": [
    "apiVersion: v2",
    "name: manifests",
    "description: Applies the Kubernetes objects given in .Values.manifests",
    "type: application",
    "version: 1.0.0",
    "",
  ].join("\n"),
  "values.yaml": "manifests: []\n",
  "templates/manifests.yaml": [
    "{{- range .Values.manifests }}",
    "---",
    "{{ toYaml . }}",
    "{{- end }}",
    "",
  ].join("\n"),
};
const CHART_HASH = createHash("sha256")
  .update(JSON.stringify(CHART_FILES))
  .digest("hex")
  .slice(0, 32)
  .toUpperCase();

/** Writes the chart once per machine into the temp directory and returns its path. */
function chartDirectory(): string {
  const dir = join(tmpdir(), `search-platform-manifests-chart-${CHART_HASH}`);
  if (existsSync(join(dir, "Chart.yaml"))) return dir;
  // Written aside and renamed into place, so a concurrent synth never sees half a chart.
  const staging = mkdtempSync(`${dir}.`);
  for (const [file, content] of Object.entries(CHART_FILES)) {
    mkdirSync(join(staging, file, ".."), { recursive: true });
    writeFileSync(join(staging, file), content);
  }
  try {
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process won the race
  }
  return dir;
}

export interface ManifestsReleaseProps {
  /** Helm release name, unique in its namespace. */
  readonly releaseName: string;
  /** Namespace of the release (and of namespaced objects that name none). */
  readonly namespace: string;
  /**
   * The Kubernetes objects, as plain data (`apiVersion`, `kind`, `metadata`, `spec`...).
   * Values may be Terraform tokens (e.g. another stack's outputs).
   */
  readonly manifests: readonly Record<string, unknown>[];
  /**
   * Seconds Helm waits for the objects before it rolls back.
   * @default 300
   */
  readonly timeoutSeconds?: number;
  /** What must exist first, typically the release that installs the objects' CRDs. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Kubernetes objects applied through Helm, for custom resources whose CRDs are installed in
 * the same apply.
 *
 * Why not `kubernetes_manifest`: it reads the CRD's schema from the cluster while planning, so
 * a plan that also installs the CRD (the operator's Helm release) fails until a first apply
 * has run. A Helm release renders at apply time, after the release it depends on. The chart is
 * written by this construct (no chart repository to trust) and copied into the stack's
 * assets; its values are JSON (valid YAML) so tokens resolve inside them.
 */
export class ManifestsRelease extends Construct {
  public readonly release: Release;

  constructor(scope: Construct, id: string, props: ManifestsReleaseProps) {
    super(scope, id);
    const timeoutSeconds = props.timeoutSeconds ?? 300;
    validateProps("ManifestsRelease", [
      {
        violated: props.manifests.length === 0,
        message: "`manifests` must list at least one object",
      },
      ...props.manifests.map((m, i) => ({
        violated:
          isKnown(m.kind) && (typeof m.kind !== "string" || typeof m.apiVersion !== "string"),
        message: `\`manifests[${i}]\` must have an apiVersion and a kind, got ${JSON.stringify({ apiVersion: m.apiVersion, kind: m.kind })}`,
      })),
      {
        violated: !Number.isInteger(timeoutSeconds) || timeoutSeconds < 30,
        message: `\`timeoutSeconds\` must be a whole number ≥ 30, got ${timeoutSeconds}`,
      },
    ]);

    const chart = new TerraformAsset(this, "chart", {
      path: chartDirectory(),
      type: AssetType.DIRECTORY,
      assetHash: CHART_HASH,
    });
    this.release = new Release(this, "release", {
      name: props.releaseName,
      namespace: props.namespace,
      chart: chart.path,
      values: [JSON.stringify({ manifests: props.manifests })],
      atomic: true,
      wait: true,
      cleanupOnFail: true,
      timeout: timeoutSeconds,
      maxHistory: 10,
      dependsOn: props.dependsOn,
    });
  }
}
