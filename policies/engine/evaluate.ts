import type { CompliancePresetName } from "@search-platform/service/settings";
import type { Stage } from "../../stacks/config";
import type { PolicyContext, ResourceRef, RuleResult, Severity } from "../model";
import { CHECKS_BY_ID, POLICY_TABLE, WAIVER_CHECKS, type PolicyEntry } from "../packs/catalog";
import type { PackName } from "../packs/frameworks";
import { selectPacks } from "../packs/presets";
import type { Waiver } from "../settings";
import type { TerraformJson } from "../terraform/json";
import { StackView } from "../terraform/stack-view";
import { policyContext, type PolicyConfig } from "./context";
import { isExpired, waiverMatches } from "./waivers";

/** The verdict on one rule for one resource. */
export interface PolicyResult {
  readonly ruleId: string;
  readonly severity: Severity;
  /** pass: compliant; fail: a finding that counts; waived: a finding a current waiver accepts. */
  readonly status: "pass" | "fail" | "waived";
  readonly resource: ResourceRef;
  /** What is wrong (fail, waived), or the rule's requirement (pass). */
  readonly message: string;
  /** How to fix it; empty for passes. */
  readonly fix: string;
  /** The waiver that accepts the finding (waived), or the expired one that no longer does (fail). */
  readonly waiver?: Waiver;
}

/** Everything the policies found in one stack. */
export interface StackReport {
  readonly stack: string;
  readonly environment: string;
  readonly stage: Stage;
  readonly compliancePreset: CompliancePresetName;
  readonly packs: readonly PackName[];
  readonly failAt: Severity;
  /** Passes, findings and waived findings, rule by rule in table order. */
  readonly results: readonly PolicyResult[];
  /** Rules of the packs that had nothing to judge in this stack, and why. */
  readonly notApplicable: readonly { readonly ruleId: string; readonly reason: string }[];
  /** Indexes (in `policy.waivers`) of the waivers that matched a finding here, expired or not. */
  readonly matchedWaivers: readonly number[];
}

/** One environment's stacks, and what is wrong with its waivers. */
export interface EnvironmentReport {
  readonly environment: string;
  readonly stage: Stage;
  readonly compliancePreset: CompliancePresetName;
  readonly packs: readonly PackName[];
  readonly failAt: Severity;
  readonly stacks: readonly StackReport[];
  /** Expired, unknown-rule and unused waivers, as findings on `policy.waivers[i]`. */
  readonly waiverFindings: readonly PolicyResult[];
}

export interface EvaluateOptions {
  /** The environment's config (validated); its `policy` section selects packs and waivers. */
  readonly config: PolicyConfig;
  /** Today, `YYYY-MM-DD` (UTC), against which waivers expire. The engine never reads the clock. */
  readonly today: string;
  /** The table to run. @default POLICY_TABLE */
  readonly table?: readonly PolicyEntry[];
}

/** The rules an environment runs: table entries in any of its packs. */
export function rulesFor(
  packs: readonly PackName[],
  table: readonly PolicyEntry[] = POLICY_TABLE,
): PolicyEntry[] {
  return table.filter(
    (e) =>
      (packs.includes("baseline") && e.baseline) ||
      packs.some((p) => p !== "baseline" && (e.frameworks[p]?.length ?? 0) > 0),
  );
}

function packsOf(config: PolicyConfig): PackName[] {
  return selectPacks(config.compliance.preset, config.policy.additionalPacks);
}

/** Runs a rule, turning a crash into a finding: a rule that cannot run has not passed. */
function runRule(entry: PolicyEntry, view: StackView, context: PolicyContext): RuleResult {
  try {
    return entry.rule.check(view, context);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      kind: "evaluated",
      passed: [],
      findings: [
        {
          resource: { address: "(stack)", constructPath: view.name },
          message: `the rule could not run: ${reason}`,
          fix: "Fix the rule or the stack so that the rule can read it.",
        },
      ],
    };
  }
}

function evaluateView(view: StackView, options: EvaluateOptions): StackReport {
  const { config, today } = options;
  const packs = packsOf(config);
  const context = policyContext(config);
  const waivers = config.policy.waivers;
  const results: PolicyResult[] = [];
  const notApplicable: { ruleId: string; reason: string }[] = [];
  const matched = new Set<number>();

  for (const entry of rulesFor(packs, options.table)) {
    const outcome = runRule(entry, view, context);
    if (outcome.kind === "not-applicable") {
      notApplicable.push({ ruleId: entry.id, reason: outcome.reason });
      continue;
    }
    for (const resource of outcome.passed) {
      results.push({
        ruleId: entry.id,
        severity: entry.severity,
        status: "pass",
        resource,
        message: entry.info,
        fix: "",
      });
    }
    for (const finding of outcome.findings) {
      const matching = waivers
        .map((waiver, index) => ({ waiver, index }))
        .filter(({ waiver }) => waiverMatches(waiver, entry.id, finding.resource));
      matching.forEach(({ index }) => matched.add(index));
      const current = matching.find(({ waiver }) => !isExpired(waiver, today));
      const lapsed = matching.find(({ waiver }) => isExpired(waiver, today));
      results.push({
        ruleId: entry.id,
        severity: entry.severity,
        status: current ? "waived" : "fail",
        resource: finding.resource,
        message:
          lapsed && !current
            ? `${finding.message} (waiver expired on ${lapsed.waiver.expires})`
            : finding.message,
        fix: finding.fix,
        waiver: (current ?? lapsed)?.waiver,
      });
    }
  }
  return {
    stack: view.name,
    environment: config.name,
    stage: config.stage,
    compliancePreset: config.compliance.preset,
    packs,
    failAt: config.policy.failAt,
    results,
    notApplicable,
    matchedWaivers: [...matched].sort((a, b) => a - b),
  };
}

/**
 * Evaluates one synthesized stack against its environment's packs and waivers.
 * `linkedStacks` are the other stacks of the app: with them, cross-stack references (the
 * workloads stack's KMS key from the infra stack) are followed instead of failing as unreadable.
 */
export function evaluateStack(
  stack: TerraformJson,
  options: EvaluateOptions & { readonly linkedStacks?: readonly TerraformJson[] },
): StackReport {
  const [view] = StackView.linkAll([stack, ...(options.linkedStacks ?? [])]);
  return evaluateView(view, options);
}

/**
 * Evaluates every stack of one environment (linked to each other) and checks the environment's
 * waivers: expired ones, ones naming an unknown rule, and ones that matched nothing.
 */
export function evaluateEnvironment(
  stacks: readonly TerraformJson[],
  options: EvaluateOptions & { readonly linkedStacks?: readonly TerraformJson[] },
): EnvironmentReport {
  const views = StackView.linkAll([...stacks, ...(options.linkedStacks ?? [])]).slice(
    0,
    stacks.length,
  );
  const reports = views.map((view) => evaluateView(view, options));
  const { config } = options;
  return {
    environment: config.name,
    stage: config.stage,
    compliancePreset: config.compliance.preset,
    packs: packsOf(config),
    failAt: config.policy.failAt,
    stacks: reports,
    waiverFindings: auditWaivers(config, reports, options.today, options.table ?? POLICY_TABLE),
  };
}

/** Findings about the waivers themselves, located at `policy.waivers[i]` of the environment. */
export function auditWaivers(
  config: PolicyConfig,
  reports: readonly StackReport[],
  today: string,
  table: readonly PolicyEntry[] = POLICY_TABLE,
): PolicyResult[] {
  const ruleIds = new Set(table.map((e) => e.id));
  const matched = new Set(reports.flatMap((r) => r.matchedWaivers));
  const findings: PolicyResult[] = [];
  config.policy.waivers.forEach((waiver, index) => {
    const resource = {
      address: `policy.waivers[${index}]`,
      constructPath: `environment ${config.name}`,
    };
    const about = `waiver of ${waiver.rule} on ${waiver.resource}`;
    const add = (check: keyof typeof WAIVER_CHECKS, message: string, fix: string) =>
      findings.push({
        ruleId: WAIVER_CHECKS[check].id,
        severity: WAIVER_CHECKS[check].severity,
        status: "fail",
        resource,
        message,
        fix,
        waiver,
      });
    if (!ruleIds.has(waiver.rule)) {
      const known = CHECKS_BY_ID.has(waiver.rule)
        ? "a waiver check, which cannot be waived"
        : "no rule of the table";
      add(
        "invalid",
        `${about}: "${waiver.rule}" is ${known}`,
        "Use a rule id from policies/RULES.md, or remove the waiver.",
      );
      return;
    }
    if (isExpired(waiver, today)) {
      add(
        "expired",
        `${about} expired on ${waiver.expires} (reason given: "${waiver.reason}")`,
        "Fix the finding and remove the waiver, or renew it with a new expiry and a current reason.",
      );
    }
    if (!matched.has(index)) {
      add(
        "unused",
        `${about} matched no finding in ${reports.map((r) => r.stack).join(", ") || "any stack"}`,
        "Remove the waiver, or correct `resource` to the finding's Terraform address or construct path.",
      );
    }
  });
  return findings;
}
