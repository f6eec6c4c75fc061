import { isAtLeast, type Severity } from "../model";
import type { EnvironmentReport, PolicyResult, StackReport } from "./evaluate";

/** A finding that fails synth, with where it was found. */
export interface BlockingFinding extends PolicyResult {
  readonly environment: string;
  /** The stack, or `environment <name>` for findings about waivers. */
  readonly stack: string;
  readonly failAt: Severity;
}

/** Whether synth must fail, why, and the text to print. */
export interface Verdict {
  readonly fail: boolean;
  /** Unwaived findings at or above their environment's `policy.failAt`, worst first. */
  readonly blocking: readonly BlockingFinding[];
  /** A list a person can act on: rule, severity, resource, message, fix; empty when passing. */
  readonly text: string;
}

const order = (s: Severity): number => ["critical", "high", "medium", "low"].indexOf(s);

/** The findings of a stack report (or of waiver checks) that fail at `failAt`. */
export function blockingFindings(
  results: readonly PolicyResult[],
  where: { environment: string; stack: string; failAt: Severity },
): BlockingFinding[] {
  return results
    .filter((r) => r.status === "fail" && isAtLeast(r.severity, where.failAt))
    .map((r) => ({ ...r, ...where }));
}

/**
 * Decides whether synth must fail: any unwaived finding at or above its environment's
 * threshold does. Waived findings, passes and findings below the threshold never do.
 */
export function decide(reports: readonly EnvironmentReport[]): Verdict {
  const blocking = reports
    .flatMap((env) => [
      ...env.stacks.flatMap((s: StackReport) =>
        blockingFindings(s.results, {
          environment: env.environment,
          stack: s.stack,
          failAt: env.failAt,
        }),
      ),
      ...blockingFindings(env.waiverFindings, {
        environment: env.environment,
        stack: `environment ${env.environment}`,
        failAt: env.failAt,
      }),
    ])
    .sort((a, b) => order(a.severity) - order(b.severity));
  return { fail: blocking.length > 0, blocking, text: formatFindings(blocking) };
}

/**
 * Formats findings for a terminal or a CI log, grouped by stack:
 *
 * ```
 * search-prod-infra: 1 finding at or above "high"
 *   [critical] sg-no-public-data-ports  aws_security_group.data_sg_1A2B (search-prod-infra/data/sg)
 *       ingress[0]: admits 0.0.0.0/0 on tcp 5432, which includes data port 5432
 *       fix: Admit the data port from the EKS node security group only.
 * ```
 */
export function formatFindings(findings: readonly BlockingFinding[]): string {
  if (findings.length === 0) return "";
  const byStack = new Map<string, BlockingFinding[]>();
  for (const f of findings) byStack.set(f.stack, [...(byStack.get(f.stack) ?? []), f]);
  const lines = [
    `Policy check failed: ${findings.length} finding${findings.length === 1 ? "" : "s"} at or above the environment's threshold.`,
  ];
  for (const [stack, list] of byStack) {
    lines.push(
      "",
      `${stack}: ${list.length} finding${list.length === 1 ? "" : "s"} at or above "${list[0].failAt}"`,
    );
    for (const f of list) {
      const path =
        f.resource.constructPath && f.resource.constructPath !== f.resource.address
          ? ` (${f.resource.constructPath})`
          : "";
      lines.push(`  [${f.severity}] ${f.ruleId}  ${f.resource.address}${path}`);
      lines.push(`      ${f.message}`);
      lines.push(`      fix: ${f.fix}`);
    }
  }
  return lines.join("\n");
}
