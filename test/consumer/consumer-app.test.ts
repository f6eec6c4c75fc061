import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Runs a separate app in its own Node process against the built package (`npm test` builds
// first), resolving the library by its package name, as a consuming team's app would.
describe("a separate cdktf app using the construct library", () => {
  const outdir = mkdtempSync(join(tmpdir(), "consumer-app-"));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const run = spawnSync(process.execPath, [join(__dirname, "fixture", "main.cjs"), outdir], {
    encoding: "utf8",
  });

  it("synthesizes every construct with only its required props", () => {
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
  });

  it("gets the resources each construct stands for", () => {
    const json = JSON.parse(
      readFileSync(join(outdir, "stacks", "consumer", "cdk.tf.json"), "utf8"),
    );
    const count = (type: string) => Object.keys(json.resource[type] ?? {}).length;
    expect({
      keys: count("aws_kms_key"),
      vpcs: count("aws_vpc"),
      clusters: count("aws_eks_cluster"),
      databases: count("aws_rds_cluster"),
      caches: count("aws_elasticache_replication_group"),
      repositories: count("aws_ecr_repository"),
      topics: count("aws_sns_topic"),
      dashboards: count("aws_cloudwatch_dashboard"),
      podIdentityAssociations: count("aws_eks_pod_identity_association"),
    }).toEqual({
      keys: 8, // seven encryption keys and the audit HMAC key
      vpcs: 1,
      clusters: 1,
      databases: 1,
      caches: 1,
      repositories: 1,
      topics: 1,
      dashboards: 1,
      podIdentityAssociations: 1,
    });
  });
});
