import { COMPLIANCE_PRESETS } from "@search-platform/service/settings";
import {
  applyOverride,
  auroraMaxConnections,
  cloudWatchRetentionAtLeast,
  loadPlatformConfig,
  PlatformConfigError,
} from "../../../stacks/config";
import { ENVIRONMENTS, loadEnvironments } from "../../../stacks/environments";

/** Loads prod with an override applied and returns the error's lines (one per invalid field). */
function prodErrors(override: unknown): string[] {
  try {
    loadPlatformConfig("prod", applyOverride(ENVIRONMENTS.prod, override));
  } catch (e) {
    expect(e).toBeInstanceOf(PlatformConfigError);
    return (e as PlatformConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error("expected the config to be rejected");
}

describe("PlatformConfig", () => {
  it("accepts every shipped environment", () => {
    const envs = loadEnvironments();
    expect(envs.map((e) => e.name)).toEqual(["dev", "staging", "prod"]);
  });

  it("returns frozen configs with defaults filled in", () => {
    const prod = loadEnvironments().find((e) => e.name === "prod")!;
    expect(Object.isFrozen(prod.aurora)).toBe(true);
    expect(prod.redis.transitEncryption).toBe(true);
    expect(prod.aurora.readerAutoscaling.targetCpuPercent).toBe(60);
  });

  it.each([
    [
      "fails when the VPC CIDR is not a CIDR",
      { network: { vpcCidr: "10.0.0/16" } },
      'network.vpcCidr: must be an IPv4 CIDR block like 10.0.0.0/16, got "10.0.0/16"',
    ],
    [
      "fails when the VPC CIDR has host bits set",
      { network: { vpcCidr: "10.0.0.1/16" } },
      'network.vpcCidr: must be the first address of its /16 block (host bits are set), got "10.0.0.1/16"',
    ],
    [
      "fails when prod has too few availability zones",
      { aws: { availabilityZones: ["eu-west-1a", "eu-west-1b"] } },
      "aws.availabilityZones: must list at least 3 zones in prod, got 2",
    ],
    [
      "fails when a zone is not in the region",
      { aws: { availabilityZones: ["eu-west-1a", "eu-west-1b", "us-east-1c"] } },
      'aws.availabilityZones[2]: must be a zone of eu-west-1 (like eu-west-1a), got "us-east-1c"',
    ],
    [
      "fails when prod has no readers",
      { aurora: { readers: 0, readerAutoscaling: { minReaders: 0, maxReaders: 2 } } },
      "aurora.readers: must be ≥ 1 in prod, got 0",
    ],
    [
      "fails when the instance class is unknown",
      { aurora: { instanceClass: "db.x9.huge" } },
      expect.stringMatching(
        /^aurora\.instanceClass: Invalid option: expected one of "db\.t4g\.medium"\|.*, got "db\.x9\.huge"$/,
      ),
    ],
    [
      "fails when a node group's min exceeds its max",
      {
        eks: {
          nodeGroups: [
            {
              name: "general",
              instanceTypes: ["m7i.large"],
              minSize: 5,
              desiredSize: 5,
              maxSize: 3,
            },
          ],
        },
      },
      "eks.nodeGroups[0].minSize: must be ≤ maxSize (3), got 5",
    ],
    [
      "fails when prod exposes a public API endpoint",
      { eks: { endpoint: { publicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] } } },
      "eks.endpoint.publicAccess: must be false in prod (private endpoint only), got true",
    ],
    [
      "fails when audit retention is below the preset's minimum",
      { compliance: { auditRetentionInDays: 365 } },
      'compliance.auditRetentionInDays: must be at least 2555 days under the "hipaa" preset, got 365',
    ],
    [
      "fails when a log retention is not one CloudWatch accepts",
      { observability: { logRetentionInDays: 100 } },
      expect.stringMatching(
        /^observability\.logRetentionInDays: must be a retention CloudWatch Logs accepts \(1, 3, .*3653\), got 100$/,
      ),
    ],
    [
      "fails on an unknown field",
      { aurora: { replicas: 2 } },
      "aurora.replicas: is not a known setting",
    ],
  ])("%s", (_name, override, expected) => {
    expect(prodErrors(override)).toContainEqual(expected);
  });

  it("reports every invalid field at once", () => {
    const errors = prodErrors({
      aws: { availabilityZones: ["eu-west-1a", "eu-west-1b"] },
      aurora: { readers: 0, readerAutoscaling: { minReaders: 0, maxReaders: 2 } },
    });
    expect(errors).toEqual([
      "aws.availabilityZones: must list at least 3 zones in prod, got 2",
      "aurora.readers: must be ≥ 1 in prod, got 0",
    ]);
  });

  it("names the environment in the error message", () => {
    expect(() =>
      loadPlatformConfig(
        "prod",
        applyOverride(ENVIRONMENTS.prod, {
          aurora: { readers: 0, readerAutoscaling: { minReaders: 0 } },
        }),
      ),
    ).toThrow(
      'Invalid config for environment "prod":\n  - aurora.readers: must be ≥ 1 in prod, got 0',
    );
  });
});

describe("catalog", () => {
  it("derives Aurora's max_connections from instance memory as AWS documents it", () => {
    expect(auroraMaxConnections("db.t4g.medium")).toBe(419);
    expect(auroraMaxConnections("db.r7g.xlarge")).toBe(3357);
    expect(auroraMaxConnections("db.r7g.8xlarge")).toBe(5000);
  });

  it("rounds audit retention up to a value CloudWatch accepts", () => {
    expect(cloudWatchRetentionAtLeast(COMPLIANCE_PRESETS.hipaa.minAuditRetentionInDays)).toBe(2557);
    expect(cloudWatchRetentionAtLeast(COMPLIANCE_PRESETS.gdpr.minAuditRetentionInDays)).toBe(1096);
    expect(() => cloudWatchRetentionAtLeast(4000)).toThrow(
      "no CloudWatch Logs retention keeps records for 4000 days (longest is 3653)",
    );
  });
});
