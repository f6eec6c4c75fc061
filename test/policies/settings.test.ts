import { applyOverride, loadPlatformConfig, PlatformConfigError } from "../../stacks/config";
import { ENVIRONMENTS, loadEnvironments } from "../../stacks/environments";
import { policyContext } from "../../policies/engine/context";

function prodErrors(policy: unknown): string[] {
  try {
    loadPlatformConfig("prod", applyOverride(ENVIRONMENTS.prod, { policy }));
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformConfigError);
    return (e as PlatformConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected the config to be rejected");
}

const valid = {
  rule: "eks-endpoint-private",
  resource: "aws_eks_cluster.cluster_A4C38409",
  reason: "Office-only public endpoint for kubectl.",
  expires: "2026-12-31",
};

describe("the policy section of PlatformConfig", () => {
  it("blocks every environment on high findings; dev's relaxations are waivers, not a lower bar", () => {
    expect(Object.fromEntries(loadEnvironments().map((c) => [c.name, c.policy.failAt]))).toEqual({
      dev: "high",
      staging: "high",
      prod: "high",
    });
  });

  it("defaults to failing at high with no extra packs and no waivers", () => {
    const { policy } = loadPlatformConfig("prod", applyOverride(ENVIRONMENTS.prod, { policy: {} }));
    expect(policy).toEqual({ failAt: "high", additionalPacks: [], waivers: [] });
  });

  it("accepts a complete waiver", () => {
    const { policy } = loadPlatformConfig(
      "prod",
      applyOverride(ENVIRONMENTS.prod, { policy: { waivers: [valid] } }),
    );
    expect(policy.waivers).toEqual([valid]);
  });

  it.each([
    [
      "fails when a waiver's expiry is not a date",
      { ...valid, expires: "2026-02-30" },
      'policy.waivers[0].expires: must be a real calendar date, got "2026-02-30"',
    ],
    [
      "fails when a waiver's expiry is not ISO",
      { ...valid, expires: "31/12/2026" },
      'policy.waivers[0].expires: must be a date like 2026-03-31, got "31/12/2026"',
    ],
    [
      "fails when a waiver gives no real reason",
      { ...valid, reason: "dev" },
      'policy.waivers[0].reason: must say why the risk is accepted (at least 20 characters), got "dev"',
    ],
    [
      "fails when a waiver's rule is not an id",
      { ...valid, rule: "EKS Endpoint" },
      'policy.waivers[0].rule: must be a rule id like eks-endpoint-private, got "EKS Endpoint"',
    ],
  ])("%s", (_name, waiver, message) => {
    expect(prodErrors({ waivers: [waiver] })).toEqual([message]);
  });

  it("fails on an unknown pack or severity", () => {
    expect(prodErrors({ failAt: "severe", additionalPacks: ["iso27001"] })).toEqual([
      expect.stringMatching(/^policy\.failAt: /),
      expect.stringMatching(/^policy\.additionalPacks\[0\]: /),
    ]);
  });

  it("derives the rules' context: the preset's audit minimum and the stage's backup floor, which config can only raise", () => {
    const [dev, , prod] = loadEnvironments();
    expect(policyContext(prod)).toEqual({
      environment: "prod",
      stage: "prod",
      compliancePreset: "hipaa",
      minAuditRetentionInDays: 2555,
      minBackupRetentionInDays: 30,
      minCacheSnapshotRetentionInDays: 7,
    });
    expect(
      policyContext({ ...dev, policy: { ...dev.policy, minBackupRetentionInDays: 14 } })
        .minBackupRetentionInDays,
    ).toBe(14);
    expect(
      policyContext({ ...dev, policy: { ...dev.policy, minBackupRetentionInDays: 1 } })
        .minBackupRetentionInDays,
    ).toBe(7);
  });
});
