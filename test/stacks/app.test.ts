import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../stacks/app";

const root = join(__dirname, "..", "..");

/** Synthesizes the whole app into a fresh directory and returns { stack name: JSON text }. */
function synthAll(env: Record<string, string> = {}): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), "synth-test-"));
  try {
    buildApp({ env, outdir }).synth();
    const stacks = readdirSync(join(outdir, "stacks"));
    return Object.fromEntries(
      stacks.map((s) => [s, readFileSync(join(outdir, "stacks", s, "cdk.tf.json"), "utf8")]),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe("the app", () => {
  const first = synthAll();

  it("synthesizes an infra and a workloads stack per environment", () => {
    expect(Object.keys(first).sort()).toEqual([
      "search-dev-infra",
      "search-dev-workloads",
      "search-prod-infra",
      "search-prod-workloads",
      "search-staging-infra",
      "search-staging-workloads",
    ]);
  });

  it("synthesizes byte-identical output twice", () => {
    expect(synthAll()).toEqual(first);
  });

  it.each(Object.keys(first))("writes no absolute path or timestamp into %s", (stack) => {
    const text = first[stack];
    expect(text).not.toContain(root);
    expect(text).not.toMatch(/"(\/(home|root|tmp|work|Users)\/[^"]*)"/);
    expect(text).not.toMatch(/\b20\d\d-\d\d-\d\dT\d\d:\d\d/);
  });

  it.each(Object.keys(first))("keeps %s's state in its own S3 object with locking", (stack) => {
    const backend = JSON.parse(first[stack]).terraform.backend;
    expect(Object.keys(backend)).toEqual(["s3"]);
    expect(backend.s3).toMatchObject({
      encrypt: true,
      use_lockfile: true,
      key: expect.stringMatching(new RegExp(`/${stack}\\.tfstate$`)),
    });
  });

  it("leaves the workloads stacks out when SEARCH_PLATFORM_STACKS is infra", () => {
    expect(Object.keys(synthAll({ SEARCH_PLATFORM_STACKS: "infra" })).sort()).toEqual([
      "search-dev-infra",
      "search-prod-infra",
      "search-staging-infra",
    ]);
  });

  it("fails when SEARCH_PLATFORM_STACKS names workloads without infra", () => {
    expect(() => synthAll({ SEARCH_PLATFORM_STACKS: "workloads" })).toThrow(
      'SEARCH_PLATFORM_STACKS must be "infra" or "infra,workloads" (the workloads stack reads the infra stack\'s outputs), got "workloads"',
    );
  });

  it("synthesizes only the environments named in SEARCH_PLATFORM_ENVIRONMENTS", () => {
    const only = synthAll({ SEARCH_PLATFORM_ENVIRONMENTS: "staging" });
    expect(Object.keys(only).every((s) => s.startsWith("search-staging-"))).toBe(true);
    expect(Object.keys(only).length).toBeGreaterThan(0);
  });
});

describe("the App entry (cdktf.json's app command)", () => {
  const entry = join(root, "dist", "stacks", "main.js");

  it("fails synth with the path of every invalid field and no stack trace", () => {
    const outdir = mkdtempSync(join(tmpdir(), "synth-fail-"));
    try {
      const run = spawnSync(process.execPath, [entry], {
        env: {
          ...process.env,
          CDKTF_OUTDIR: outdir,
          SEARCH_PLATFORM_SET: "prod.aurora.readers=0;prod.network.vpcCidr=10.0.0.0/8",
        },
        encoding: "utf8",
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        'Invalid config for environment "prod":\n' +
          "  - network.vpcCidr: must have a prefix between /16 and /24, got /8\n" +
          "  - aurora.readers: must be ≥ 1 in prod, got 0\n" +
          "  - aurora.readers: must be within readerAutoscaling bounds (2-5), got 0\n",
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
