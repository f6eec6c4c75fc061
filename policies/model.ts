/**
 * The policy model (cdk-nag's, tightened): a rule is a small pure function over one synthesized
 * stack that returns findings, "compliant" or "not applicable". A value the rule cannot read is a
 * finding, never a pass.
 */
import type { CompliancePresetName } from "@search-platform/service/settings";
import type { Stage } from "../stacks/config";
import type { StackView } from "./terraform/stack-view";

/** How bad a finding is, worst first. */
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** True when `severity` is `threshold` or worse. */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** What the rules know about the environment besides the stack itself. */
export interface PolicyContext {
  /** Environment name (`config.name`); the `environment` tag must carry it. */
  readonly environment: string;
  readonly stage: Stage;
  readonly compliancePreset: CompliancePresetName;
  /** The preset's least audit retention; log groups holding audit data keep at least this. */
  readonly minAuditRetentionInDays: number;
  /** Least Aurora backup retention: the stage's floor, raised by `policy.minBackupRetentionInDays`. */
  readonly minBackupRetentionInDays: number;
  /** Least ElastiCache snapshot retention: the stage's floor. */
  readonly minCacheSnapshotRetentionInDays: number;
}

/** Where a finding is: the Terraform address and, when cdktf recorded it, the construct path. */
export interface ResourceRef {
  /** `aws_kms_key.keys_logs_0FF6A81F`, `data.aws_iam_policy_document.x`, or `provider.aws[0]`. */
  readonly address: string;
  /** `search-prod-infra/keys/logs`, from the block's `//.metadata.path`. */
  readonly constructPath?: string;
}

/** One problem a rule found on one resource. */
export interface RuleFinding {
  readonly resource: ResourceRef;
  /** What is wrong, naming the attribute and the value found (never a secret's value). */
  readonly message: string;
  /** How to fix it, in terms of the construct or the provider argument. */
  readonly fix: string;
}

/** What a rule returns for one stack. */
export type RuleResult =
  | { readonly kind: "not-applicable"; readonly reason: string }
  | {
      readonly kind: "evaluated";
      /** Resources the rule checked and found compliant. */
      readonly passed: readonly ResourceRef[];
      readonly findings: readonly RuleFinding[];
    };

/** A policy rule: a stable id and a pure check. Its metadata lives in the pack table. */
export interface PolicyRule {
  /** Stable id, kebab-case; waivers, reports and SARIF name the rule by it. Never reuse one. */
  readonly id: string;
  readonly check: (stack: StackView, context: PolicyContext) => RuleResult;
}

export function notApplicable(reason: string): RuleResult {
  return { kind: "not-applicable", reason };
}
