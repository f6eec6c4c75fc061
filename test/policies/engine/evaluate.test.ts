import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Backend, TerraformStack, Testing } from "cdktf";
import { decide } from "../../../policies/engine/enforce";
import {
  evaluateEnvironment,
  evaluateStack,
  rulesFor,
  type PolicyResult,
} from "../../../policies/engine/evaluate";
import type { PolicyRule } from "../../../policies/model";
import { POLICY_TABLE, type PolicyEntry } from "../../../policies/packs/catalog";
import { selectPacks } from "../../../policies/packs/presets";
import { kmsKey, logGroup } from "../support/aws";
import { environment, stackWithUnrotatedKey } from "../support/environment";
import { synthStack } from "../support/synth";

const TODAY = "2026-06-30";
const rotation = (results: readonly PolicyResult[]) =>
  results.filter((r) => r.ruleId === "kms-key-rotation");
const waiver = (overrides: Record<string, string> = {}) => ({
  rule: "kms-key-rotation",
  resource: "aws_kms_key.unrotated",
  reason: "Imported key; rotation is turned on with the key migration (PLAT-142).",
  expires: "2026-09-30",
  ...overrides,
});

describe("pack selection", () => {
  it.each([
    ["none", ["baseline"]],
    ["gdpr", ["baseline", "gdpr"]],
    ["hipaa", ["baseline", "hipaa"]],
    ["sox", ["baseline", "soc2"]],
  ] as const)("runs %s's packs: %j", (preset, packs) => {
    expect(selectPacks(preset)).toEqual(packs);
  });

  it("adds PCI DSS only when an environment asks for it", () => {
    expect(selectPacks("hipaa", ["pci-dss"])).toEqual(["baseline", "hipaa", "pci-dss"]);
    const ids = (packs: Parameters<typeof rulesFor>[0]) => rulesFor(packs).map((e) => e.id);
    expect(ids(selectPacks("hipaa"))).not.toContain("log-group-security-retention");
    expect(ids(selectPacks("hipaa", ["pci-dss"]))).toContain("log-group-security-retention");
  });

  it("runs the evidence-grade logging rules only under a framework", () => {
    const baseline = rulesFor(["baseline"]).map((e) => e.id);
    const hipaa = rulesFor(selectPacks("hipaa")).map((e) => e.id);
    for (const id of ["eks-control-plane-logging", "aurora-log-exports", "log-group-kms"]) {
      expect(baseline).not.toContain(id);
      expect(hipaa).toContain(id);
    }
  });

  it("runs every baseline rule under every preset", () => {
    const baseline = POLICY_TABLE.filter((e) => e.baseline).map((e) => e.id);
    for (const preset of ["none", "gdpr", "hipaa", "sox"] as const) {
      expect(rulesFor(selectPacks(preset)).map((e) => e.id)).toEqual(
        expect.arrayContaining(baseline),
      );
    }
  });

  it("reports the packs and threshold it ran with", () => {
    const report = evaluateStack(stackWithUnrotatedKey(), {
      config: environment("dev", "dev", "none", { failAt: "critical" }),
      today: TODAY,
    });
    expect(report).toMatchObject({
      stack: "search-dev-infra",
      environment: "dev",
      packs: ["baseline"],
      failAt: "critical",
    });
  });
});

describe("evaluating a stack", () => {
  const config = environment("dev", "dev", "none");

  it("reports each resource of a rule as pass or fail, with its address and construct path", () => {
    const report = evaluateStack(stackWithUnrotatedKey(), { config, today: TODAY });
    expect(rotation(report.results)).toEqual([
      expect.objectContaining({
        status: "pass",
        resource: { address: "aws_kms_key.rotated", constructPath: "search-dev-infra/rotated" },
      }),
      {
        ruleId: "kms-key-rotation",
        severity: "high",
        status: "fail",
        resource: { address: "aws_kms_key.unrotated", constructPath: "search-dev-infra/unrotated" },
        message: "`enable_key_rotation` is false or not set: the key material never changes",
        fix: expect.stringContaining("enableKeyRotation: true"),
        waiver: undefined,
      },
    ]);
  });

  it("lists rules with nothing to judge as not applicable", () => {
    const report = evaluateStack(stackWithUnrotatedKey(), { config, today: TODAY });
    expect(report.notApplicable).toContainEqual({
      ruleId: "aurora-storage-encrypted",
      reason: "no aws_rds_cluster",
    });
  });

  it("turns a rule that throws into a finding, never a pass", () => {
    const broken: PolicyRule = {
      id: "kms-key-rotation",
      check: () => {
        throw new Error("unexpected shape");
      },
    };
    const table: PolicyEntry[] = [
      { ...POLICY_TABLE.find((e) => e.id === "kms-key-rotation")!, rule: broken },
    ];
    const report = evaluateStack(stackWithUnrotatedKey(), { config, today: TODAY, table });
    expect(report.results).toEqual([
      expect.objectContaining({
        status: "fail",
        message: "the rule could not run: unexpected shape",
      }),
    ]);
  });

  it("follows a cross-stack key reference when the origin stack is linked, and fails closed when it is not", () => {
    const app = Testing.app();
    const infra = new TerraformStack(app, "search-prod-infra");
    const workloads = new TerraformStack(app, "search-prod-workloads");
    for (const stack of [infra, workloads]) {
      new S3Backend(stack, {
        bucket: "state",
        key: `${stack.node.id}.tfstate`,
        region: "eu-west-1",
      });
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
    }
    const key = kmsKey(infra, "logs");
    new CloudwatchLogGroup(workloads, "audit", {
      name: "/search/prod/audit",
      retentionInDays: 2557,
      kmsKeyId: key.arn,
    });
    // What app.synth() does first: turn cross-stack tokens into outputs and remote-state reads.
    [infra, workloads].forEach((stack) => stack.prepareStack());
    const infraJson = JSON.parse(JSON.stringify(infra.toTerraform()));
    const workloadsJson = JSON.parse(JSON.stringify(workloads.toTerraform()));
    const prod = environment("prod", "prod", "hipaa");
    const kms = (r: ReturnType<typeof evaluateStack>) =>
      r.results.filter((x) => x.ruleId === "log-group-kms");

    expect(
      kms(evaluateStack(workloadsJson, { config: prod, today: TODAY, linkedStacks: [infraJson] })),
    ).toEqual([
      expect.objectContaining({
        status: "pass",
        resource: expect.objectContaining({ address: "aws_cloudwatch_log_group.audit" }),
      }),
    ]);
    expect(kms(evaluateStack(workloadsJson, { config: prod, today: TODAY }))).toEqual([
      expect.objectContaining({
        status: "fail",
        message: expect.stringMatching(
          /is output `cross-stack-output-aws_kms_keylogsarn` of stack search-prod-infra, which is not part of this evaluation/,
        ),
      }),
    ]);
  });
});

describe("waivers", () => {
  const evaluate = (waivers: unknown[], today = TODAY, stacks = [stackWithUnrotatedKey()]) =>
    evaluateEnvironment(stacks, { config: environment("dev", "dev", "none", { waivers }), today });

  it("mark a matching finding waived, with the waiver, and keep it in the report", () => {
    const report = evaluate([waiver()]);
    const [, waived] = rotation(report.stacks[0].results);
    expect(waived).toMatchObject({
      status: "waived",
      waiver: waiver(),
      resource: { address: "aws_kms_key.unrotated" },
    });
    expect(report.waiverFindings).toEqual([]);
    expect(decide([report]).fail).toBe(false);
  });

  it("match by construct path, and by construct path prefix", () => {
    for (const resource of ["search-dev-infra/unrotated", "search-dev-infra/*"]) {
      expect(rotation(evaluate([waiver({ resource })]).stacks[0].results)[1].status).toBe("waived");
    }
  });

  it("do not waive another rule's finding on the same resource", () => {
    const report = evaluate([waiver({ rule: "kms-key-policy-no-wildcard-grants" })]);
    expect(rotation(report.stacks[0].results)[1].status).toBe("fail");
    expect(report.waiverFindings.map((f) => f.ruleId)).toEqual(["waiver-unused"]);
  });

  it("apply through their expiry day", () => {
    expect(rotation(evaluate([waiver()], "2026-09-30").stacks[0].results)[1].status).toBe("waived");
  });

  it("stop applying the day after they expire, and are reported as expired findings", () => {
    const report = evaluate([waiver()], "2026-10-01");
    expect(rotation(report.stacks[0].results)[1]).toMatchObject({
      status: "fail",
      message:
        "`enable_key_rotation` is false or not set: the key material never changes (waiver expired on 2026-09-30)",
    });
    expect(report.waiverFindings).toEqual([
      expect.objectContaining({
        ruleId: "waiver-expired",
        severity: "high",
        status: "fail",
        resource: { address: "policy.waivers[0]", constructPath: "environment dev" },
        message: expect.stringMatching(
          /^waiver of kms-key-rotation on aws_kms_key\.unrotated expired on 2026-09-30 \(reason given: "Imported key/,
        ),
      }),
    ]);
    const verdict = decide([report]);
    expect(verdict.fail).toBe(true);
    expect(verdict.blocking.map((b) => b.ruleId)).toEqual(["kms-key-rotation", "waiver-expired"]);
  });

  it("are reported as unused when they match no finding in any stack of the environment", () => {
    const report = evaluate([waiver(), waiver({ resource: "aws_kms_key.renamed" })]);
    expect(report.waiverFindings).toEqual([
      expect.objectContaining({
        ruleId: "waiver-unused",
        severity: "low",
        resource: { address: "policy.waivers[1]", constructPath: "environment dev" },
        message:
          "waiver of kms-key-rotation on aws_kms_key.renamed matched no finding in search-dev-infra",
      }),
    ]);
  });

  it("count as used when another stack of the environment uses them", () => {
    const clean = synthStack((s) => logGroup(s, "app"), "search-dev-workloads");
    expect(evaluate([waiver()], TODAY, [clean, stackWithUnrotatedKey()]).waiverFindings).toEqual(
      [],
    );
  });

  it("naming an unknown rule are reported as invalid", () => {
    const report = evaluate([waiver({ rule: "kms-key-rotaton" })]);
    expect(report.waiverFindings).toEqual([
      expect.objectContaining({
        ruleId: "waiver-invalid",
        message:
          'waiver of kms-key-rotaton on aws_kms_key.unrotated: "kms-key-rotaton" is no rule of the table',
      }),
    ]);
  });

  it("cannot waive a waiver check", () => {
    const report = evaluate([waiver({ rule: "waiver-expired" })]);
    expect(report.waiverFindings[0].message).toMatch(/is a waiver check, which cannot be waived$/);
  });
});

describe("deciding whether synth fails", () => {
  const run = (failAt: string) =>
    decide([
      evaluateEnvironment([stackWithUnrotatedKey()], {
        config: environment("dev", "dev", "none", { failAt }),
        today: TODAY,
      }),
    ]);

  it.each([
    ["low", true],
    ["medium", true],
    ["high", true],
    ["critical", false],
  ])("with a high finding and failAt %s: fail = %s", (failAt, fails) => {
    expect(run(failAt).fail).toBe(fails);
  });

  it("formats each blocking finding with rule, severity, resource, message and fix", () => {
    expect(run("high").text).toBe(
      [
        "Policy check failed: 1 finding at or above the environment's threshold.",
        "",
        'search-dev-infra: 1 finding at or above "high"',
        "  [high] kms-key-rotation  aws_kms_key.unrotated (search-dev-infra/unrotated)",
        "      `enable_key_rotation` is false or not set: the key material never changes",
        "      fix: Set `enableKeyRotation: true` on the key (yearly by default; `rotationPeriodInDays` shortens it).",
      ].join("\n"),
    );
  });

  it("prints nothing when nothing blocks", () => {
    expect(run("critical")).toEqual({ fail: false, blocking: [], text: "" });
  });
});
