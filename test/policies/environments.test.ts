import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkApp } from "../../policies/app-check";
import type { AppPolicyReport } from "../../policies/engine/synthesized";
import { isAtLeast } from "../../policies/model";
import { buildApp } from "../../stacks/app";

// The shipped environments, synthesized and judged exactly as `cdktf synth` does.
const TODAY = "2026-11-22";

function check(env: Record<string, string> = {}, today = TODAY): AppPolicyReport {
  const outdir = mkdtempSync(join(tmpdir(), "policy-env-"));
  try {
    const app = buildApp({ env, outdir });
    app.synth();
    return checkApp(app, today);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const report = check();
const results = (environment: string) =>
  report.environments.find((e) => e.environment === environment)!.stacks.flatMap((s) => s.results);

describe("the shipped environments under their policy packs", () => {
  it("pass: no finding fails synth", () => {
    expect(report.verdict).toMatchObject({ fail: false, blocking: [] });
  });

  it.each(["staging", "prod"])(
    "%s passes every rule of high severity or worse, with no waivers",
    (env) => {
      const serious = results(env).filter((r) => isAtLeast(r.severity, "high"));
      expect(serious.length).toBeGreaterThan(40);
      expect(serious.filter((r) => r.status !== "pass")).toEqual([]);
    },
  );

  it.each(["staging", "prod"])("%s has no finding at all", (env) => {
    expect(results(env).filter((r) => r.status !== "pass")).toEqual([]);
  });

  it("lists each of dev's relaxations as a waived finding, none silently", () => {
    const waived = results("dev")
      .filter((r) => r.status !== "pass")
      .map((r) => `${r.status} ${r.ruleId} ${r.resource.constructPath}`)
      .sort();
    expect(waived).toEqual([
      "waived aurora-backup-retention search-dev-infra/database/Cluster",
      "waived aurora-deletion-protection search-dev-infra/database/Cluster",
      "waived aurora-final-snapshot search-dev-infra/database/Cluster",
      "waived aurora-multi-az search-dev-infra/database/Cluster",
      "waived eks-endpoint-private search-dev-infra/cluster/cluster",
      "waived elasticache-automatic-failover search-dev-infra/cache/ReplicationGroup",
      "waived elasticache-multi-az search-dev-infra/cache/ReplicationGroup",
      "waived network-nat-per-az search-dev-infra/network/nat-gateway-0",
    ]);
    const dev = report.environments.find((e) => e.environment === "dev")!;
    expect(dev.waiverFindings).toEqual([]);
  });

  it("fails synth when dev's waivers have expired", () => {
    const expired = check({ SEARCH_PLATFORM_ENVIRONMENTS: "dev" }, "2027-07-01");
    expect(expired.verdict.fail).toBe(true);
    expect(new Set(expired.verdict.blocking.map((b) => b.ruleId))).toEqual(
      new Set([
        "aurora-backup-retention",
        "aurora-deletion-protection",
        "aurora-multi-az",
        "eks-endpoint-private",
        "waiver-expired",
      ]),
    );
  });

  it("fails synth when a change breaks a high-severity control in prod", () => {
    const broken = check({
      SEARCH_PLATFORM_ENVIRONMENTS: "prod",
      SEARCH_PLATFORM_SET: "prod.aurora.backupRetentionInDays=3",
    });
    expect(broken.verdict.fail).toBe(true);
    expect(broken.verdict.blocking.map((b) => `${b.ruleId} ${b.resource.constructPath}`)).toEqual([
      "aurora-backup-retention search-prod-infra/database/Cluster",
    ]);
  });
});

describe("the App entry", () => {
  it("exits non-zero and lists the finding with its fix when synth breaks a control", () => {
    const outdir = mkdtempSync(join(tmpdir(), "policy-main-"));
    try {
      const run = spawnSync(
        process.execPath,
        [join(__dirname, "..", "..", "dist", "stacks", "main.js")],
        {
          env: {
            ...process.env,
            CDKTF_OUTDIR: outdir,
            SEARCH_PLATFORM_ENVIRONMENTS: "staging",
            SEARCH_PLATFORM_SET: "staging.aurora.backupRetentionInDays=3",
          },
          encoding: "utf8",
        },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toContain("aurora-backup-retention");
      expect(run.stderr).toContain("search-staging-infra/database/Cluster");
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
