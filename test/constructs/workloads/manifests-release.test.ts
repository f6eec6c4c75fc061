import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { Testing, TerraformStack } from "cdktf";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManifestsRelease, type ManifestsReleaseProps } from "../../../constructs/workloads";
import { InvalidPropsError } from "../../../constructs/core";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const configMap = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "example", namespace: "demo" },
  data: { key: "value" },
};

function build(props: Partial<ManifestsReleaseProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "test");
  new ManifestsRelease(stack, "objects", {
    releaseName: "objects",
    namespace: "demo",
    manifests: [configMap],
    ...props,
  });
  return stack;
}

describe("ManifestsRelease", () => {
  const release = Object.values(
    (JSON.parse(Testing.synth(build())) as Json).resource.helm_release as Json,
  )[0] as Json;

  it("applies the objects through an atomic Helm release of a chart shipped as an asset", () => {
    expect(release).toMatchObject({
      name: "objects",
      namespace: "demo",
      atomic: true,
      wait: true,
      timeout: 300,
      chart: expect.stringMatching(/^assets\/objects_chart_[0-9A-F]+\/[0-9A-F]{32}$/),
    });
    expect(JSON.parse(release.values[0])).toEqual({ manifests: [configMap] });
  });

  it("writes a chart that renders every manifest and nothing else", () => {
    // GIVEN a synthesized app WHEN its assets are read
    const outdir = mkdtempSync(join(tmpdir(), "manifests-release-"));
    try {
      const app = Testing.app({ outdir });
      const stack = new TerraformStack(app, "test");
      new HelmProvider(stack, "helm", {});
      new ManifestsRelease(stack, "objects", {
        releaseName: "objects",
        namespace: "demo",
        manifests: [configMap],
      });
      app.synth();
      const chartDir = join(outdir, "stacks", "test", release.chart as string);
      // THEN the chart is two files and a template
      expect(readdirSync(chartDir).sort()).toEqual(["Chart.yaml", "templates", "values.yaml"]);
      expect(readFileSync(join(chartDir, "templates", "manifests.yaml"), "utf8")).toBe(
        "{{- range .Values.manifests }}\n---\n{{ toYaml . }}\n{{- end }}\n",
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("fails when there is nothing to apply or the timeout is too short", () => {
    expect(() => build({ manifests: [], timeoutSeconds: 5 })).toThrow(
      new InvalidPropsError("ManifestsRelease", [
        "`manifests` must list at least one object",
        "`timeoutSeconds` must be a whole number ≥ 30, got 5",
      ]),
    );
  });

  it("fails when an object has no kind", () => {
    expect(() => build({ manifests: [{ apiVersion: "v1", metadata: {} }] })).toThrow(
      new InvalidPropsError("ManifestsRelease", [
        '`manifests[0]` must have an apiVersion and a kind, got {"apiVersion":"v1"}',
      ]),
    );
  });
});
