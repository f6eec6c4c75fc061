import { rmSync } from "node:fs";
import { checkSynthesizedApp } from "../../../policies/engine/synthesized";
import { POLICY_TABLE, WAIVER_CHECK_INFO } from "../../../policies/packs/catalog";
import { lineOf, SARIF_SCHEMA, toSarif } from "../../../policies/report/sarif";
import { KEY_WAIVER, synthesizeApp } from "../support/app";

const LEVELS = ["none", "note", "warning", "error"];

describe("SARIF output", () => {
  const app = synthesizeApp([KEY_WAIVER, { ...KEY_WAIVER, resource: "aws_kms_key.gone" }]);
  const report = checkSynthesizedApp({ ...app, today: "2026-06-30" });
  const unwaived = checkSynthesizedApp({
    outdir: app.outdir,
    configFor: (s) => ({
      ...app.configFor(s)!,
      policy: { ...app.configFor(s)!.policy, waivers: [] },
    }),
    today: "2026-06-30",
  });
  const options = {
    outdir: "cdktf.out",
    environmentFile: (env: string) => `stacks/environments/${env}.ts`,
  };
  // A JSON round trip: what is written to reports/policy.sarif.
  const sarif = JSON.parse(JSON.stringify(toSarif(report.environments, report.stacks, options)));
  const run = sarif.runs[0];
  afterAll(() => rmSync(app.outdir, { recursive: true, force: true }));

  it("has the 2.1.0 envelope: $schema, version and one run with a tool driver", () => {
    expect(sarif.$schema).toBe(SARIF_SCHEMA);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs).toHaveLength(1);
    expect(run.tool.driver).toMatchObject({
      name: "search-platform-policies",
      version: expect.any(String),
    });
    expect(Array.isArray(run.results)).toBe(true);
  });

  it("describes every rule and waiver check of the table as a reportingDescriptor", () => {
    const rules = run.tool.driver.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual(
      [...POLICY_TABLE, ...WAIVER_CHECK_INFO].map((c) => c.id),
    );
    for (const rule of rules) {
      expect(rule.name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.shortDescription.text.length).toBeGreaterThan(0);
      expect(rule.fullDescription.text.length).toBeGreaterThan(0);
      expect(LEVELS).toContain(rule.defaultConfiguration.level);
      expect(Number(rule.properties["security-severity"])).toBeGreaterThan(0);
    }
    const rotation = rules.find((r: { id: string }) => r.id === "kms-key-rotation");
    expect(rotation.properties.tags).toEqual(
      expect.arrayContaining(["HIPAA Security Rule 164.312(a)(2)(iv)", "PCI DSS 3.7.4"]),
    );
  });

  it("gives each result a rule id and index, a level, a message and locations", () => {
    expect(run.results.length).toBeGreaterThan(0);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(LEVELS).toContain(result.level);
      expect(result.message.text).toMatch(/\nFix: /);
      expect(result.locations[0].logicalLocations[0].name.length).toBeGreaterThan(0);
      expect(result.partialFingerprints["policyFinding/v1"]).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it("locates a finding at its resource's line in the synthesized file and at its Terraform address", () => {
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === "kms-key-rotation");
    const file = report.stacks.find((s) => s.name === "search-dev-infra")!;
    expect(result.locations[0]).toEqual({
      physicalLocation: {
        artifactLocation: {
          uri: "cdktf.out/stacks/search-dev-infra/cdk.tf.json",
          uriBaseId: "%SRCROOT%",
        },
        region: { startLine: lineOf(file.text, "aws_kms_key.unrotated") },
      },
      logicalLocations: [
        {
          name: "aws_kms_key.unrotated",
          fullyQualifiedName: "search-dev-infra/aws_kms_key.unrotated",
          kind: "resource",
        },
      ],
    });
    expect(file.text.split("\n")[result.locations[0].physicalLocation.region.startLine - 1]).toBe(
      '      "unrotated": {',
    );
  });

  it("carries an accepted suppression, with the waiver's reason, on a waived finding", () => {
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === "kms-key-rotation");
    expect(result.suppressions).toEqual([
      {
        kind: "external",
        status: "accepted",
        justification: `${KEY_WAIVER.reason} (waiver expires 2026-09-30)`,
      },
    ]);
    expect(result.level).toBe("warning");
  });

  it("reports a blocking finding as an error without suppressions", () => {
    const plain = JSON.parse(
      JSON.stringify(toSarif(unwaived.environments, unwaived.stacks, options)),
    );
    const result = plain.runs[0].results.find(
      (r: { ruleId: string }) => r.ruleId === "kms-key-rotation",
    );
    expect(result.level).toBe("error");
    expect(result.suppressions).toBeUndefined();
  });

  it("points findings about waivers at the environment's config file", () => {
    const unused = run.results.find((r: { ruleId: string }) => r.ruleId === "waiver-unused");
    expect(unused.locations[0].physicalLocation.artifactLocation.uri).toBe(
      "stacks/environments/dev.ts",
    );
    expect(unused.locations[0].logicalLocations[0]).toMatchObject({ name: "policy.waivers[1]" });
  });
});
