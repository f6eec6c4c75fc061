import { rmSync } from "node:fs";
import { checkSynthesizedApp, readSynthesizedStacks } from "../../../policies/engine/synthesized";
import { KEY_WAIVER, synthesizeApp } from "../support/app";

describe("checking a synthesized app", () => {
  const { outdir, configFor } = synthesizeApp();
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("reads every stack cdktf listed in manifest.json", () => {
    expect(readSynthesizedStacks(outdir).map((s) => [s.name, s.file])).toEqual([
      ["search-dev-infra", "stacks/search-dev-infra/cdk.tf.json"],
      ["search-dev-workloads", "stacks/search-dev-workloads/cdk.tf.json"],
    ]);
  });

  it("evaluates each environment's stacks together, following cross-stack references", () => {
    const report = checkSynthesizedApp({ outdir, configFor, today: "2026-06-30" });
    expect(report.environments.map((e) => [e.environment, e.stacks.map((s) => s.stack)])).toEqual([
      ["dev", ["search-dev-infra", "search-dev-workloads"]],
    ]);
    const workloads = report.environments[0].stacks[1];
    expect(workloads.results.filter((r) => r.ruleId === "log-group-audit-retention")).toEqual([
      expect.objectContaining({
        status: "pass",
        resource: expect.objectContaining({ constructPath: "search-dev-workloads/audit" }),
      }),
    ]);
  });

  it("fails on the unwaived high finding and passes once it is waived", () => {
    expect(
      checkSynthesizedApp({ outdir, configFor, today: "2026-06-30" }).verdict.blocking.map((b) => [
        b.ruleId,
        b.resource.address,
      ]),
    ).toEqual([["kms-key-rotation", "aws_kms_key.unrotated"]]);
    const waived = synthesizeApp([KEY_WAIVER]);
    try {
      expect(checkSynthesizedApp({ ...waived, today: "2026-06-30" }).verdict.fail).toBe(false);
    } finally {
      rmSync(waived.outdir, { recursive: true, force: true });
    }
  });

  it("refuses a stack that belongs to no environment rather than skipping it", () => {
    expect(() =>
      checkSynthesizedApp({ outdir, configFor: () => undefined, today: "2026-06-30" }),
    ).toThrow("policy: stack search-dev-infra belongs to no environment; it cannot be checked");
  });
});
