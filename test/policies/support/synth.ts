import { TerraformStack, Testing } from "cdktf";
import type { PolicyContext, PolicyRule, RuleResult } from "../../../policies/model";
import type { TerraformJson } from "../../../policies/terraform/json";
import { StackView } from "../../../policies/terraform/stack-view";

/**
 * Builds resources with the provider classes in a fresh stack and returns the JSON cdktf writes
 * to cdk.tf.json (`toTerraform()`: resolved, with `//.metadata.path`; `Testing.synth` drops the
 * metadata, so it is not used here).
 */
export function synthStack(
  build: (stack: TerraformStack) => void,
  name = "test-stack",
): TerraformJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, name);
  build(stack);
  return JSON.parse(JSON.stringify(stack.toTerraform())) as TerraformJson;
}

/** A prod environment under the HIPAA preset, as the rules see it. */
export const PROD_CONTEXT: PolicyContext = {
  environment: "prod",
  stage: "prod",
  compliancePreset: "hipaa",
  minAuditRetentionInDays: 2555,
  minBackupRetentionInDays: 30,
  minCacheSnapshotRetentionInDays: 7,
};

export const DEV_CONTEXT: PolicyContext = {
  environment: "dev",
  stage: "dev",
  compliancePreset: "none",
  minAuditRetentionInDays: 730,
  minBackupRetentionInDays: 7,
  minCacheSnapshotRetentionInDays: 1,
};

/** Runs one rule over one stack (and the stacks it links to). */
export function runRule(
  rule: PolicyRule,
  stack: TerraformJson,
  context: PolicyContext = PROD_CONTEXT,
  linked: readonly TerraformJson[] = [],
): RuleResult {
  const [view] = StackView.linkAll([stack, ...linked]);
  return rule.check(view, context);
}

/** The findings' messages, or a marker for the other outcomes. */
export function messagesOf(result: RuleResult): string[] {
  return result.kind === "not-applicable" ? [] : result.findings.map((f) => f.message);
}

/** A Terraform expression as it appears in synthesized JSON: `ref("var.x")` is `${var.x}`. */
export function ref(expression: string): string {
  return `\${${expression}}`;
}
