import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, S3Backend, TerraformStack } from "cdktf";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PolicyConfig } from "../../../policies/engine/context";
import { kmsKey } from "./aws";
import { environment } from "./environment";

/**
 * A two-stack app, synthesized to a temporary directory the way `cdktf synth` writes it: an
 * infra stack with a rotated and an unrotated key, a workloads stack whose audit log group uses
 * the infra stack's key (a cross-stack reference).
 */
export function synthesizeApp(waivers: unknown[] = []): {
  outdir: string;
  configFor: (stack: string) => PolicyConfig | undefined;
} {
  const outdir = mkdtempSync(join(tmpdir(), "policy-app-"));
  const app = new App({ outdir });
  const tags = {
    environment: "dev",
    service: "search",
    owner: "search-platform",
    "compliance-preset": "none",
  };
  const stacks = ["search-dev-infra", "search-dev-workloads"].map((name) => {
    const stack = new TerraformStack(app, name);
    new S3Backend(stack, { bucket: "state", key: `${name}.tfstate`, region: "eu-west-1" });
    new AwsProvider(stack, "aws", { region: "eu-west-1", defaultTags: [{ tags }] });
    return stack;
  });
  kmsKey(stacks[0], "rotated");
  const logs = kmsKey(stacks[0], "unrotated", { enableKeyRotation: false });
  new CloudwatchLogGroup(stacks[1], "audit", {
    name: "/search/dev/audit",
    retentionInDays: 731,
    kmsKeyId: logs.arn,
  });
  app.synth();
  const dev = environment("dev", "dev", "none", { failAt: "high", waivers });
  return { outdir, configFor: (stack) => (stack.startsWith("search-dev-") ? dev : undefined) };
}

export const KEY_WAIVER = {
  rule: "kms-key-rotation",
  resource: "search-dev-infra/unrotated",
  reason: "Imported key; rotation is turned on with the key migration (PLAT-142).",
  expires: "2026-09-30",
};
