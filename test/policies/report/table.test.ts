import { rmSync } from "node:fs";
import { checkSynthesizedApp } from "../../../policies/engine/synthesized";
import { formatReport } from "../../../policies/report/table";
import { KEY_WAIVER, synthesizeApp } from "../support/app";

describe("the console report", () => {
  const app = synthesizeApp([KEY_WAIVER]);
  afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

  it("prints a table per stack with each result's status, the waiver's reason, and a summary", () => {
    const report = checkSynthesizedApp({ ...app, today: "2026-06-30" });
    const lines = formatReport(report.environments, report.verdict).split("\n");
    expect(lines[0]).toBe("search-dev-infra — dev, preset none, packs baseline, fails at high");
    expect(lines[1]).toMatch(/^ {2}RULE +SEVERITY +STATUS +RESOURCE$/);
    expect(lines[2]).toMatch(
      /^ {2}kms-key-rotation +high +waived +aws_kms_key\.unrotated \(search-dev-infra\/unrotated\)$/,
    );
    expect(lines[4]).toBe(`      waived until 2026-09-30: ${KEY_WAIVER.reason}`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}kms-key-rotation +high +pass +aws_kms_key\.rotated/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}dev +search-dev-infra +high +\d+ +0 +0 +1 +\d+$/),
    );
    expect(lines.at(-1)).toBe(
      "Result: PASS — no unwaived finding at or above any environment's threshold",
    );
  });

  it("marks findings at or above the threshold FAIL, and leaves passes out on request", () => {
    const unwaived = synthesizeApp();
    try {
      const report = checkSynthesizedApp({ ...unwaived, today: "2026-06-30" });
      const text = formatReport(report.environments, report.verdict, { onlyFindings: true });
      expect(text).toMatch(/^ {2}kms-key-rotation +high +FAIL +aws_kms_key\.unrotated/m);
      expect(text).toMatch(/^ {6}fix: Set `enableKeyRotation: true`/m);
      expect(text).not.toMatch(/ pass /);
      expect(text.split("\n").at(-1)).toBe(
        "Result: FAIL — 1 finding(s) at or above their environment's threshold",
      );
    } finally {
      rmSync(unwaived.outdir, { recursive: true, force: true });
    }
  });
});
