import { isAtLeast } from "../model";
import type { EnvironmentReport, PolicyResult, StackReport } from "../engine/evaluate";
import type { Verdict } from "../engine/enforce";

export interface TableOptions {
  /** Leave passes out of the per-stack tables (the summary still counts them). @default false */
  readonly onlyFindings?: boolean;
}

const STATUS_ORDER = { fail: 0, waived: 1, pass: 2 } as const;
const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const;

function where(result: PolicyResult): string {
  const { address, constructPath } = result.resource;
  return constructPath && constructPath !== address ? `${address} (${constructPath})` : address;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join("  "),
  );
}

/** Rows of results, findings first, with each finding's message, fix or waiver below it. */
function resultLines(
  results: readonly PolicyResult[],
  failAt: StackReport["failAt"],
  options: TableOptions,
): string[] {
  const shown = results
    .filter((r) => !options.onlyFindings || r.status !== "pass")
    .slice()
    .sort(
      (a, b) =>
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
        a.ruleId.localeCompare(b.ruleId),
    );
  if (shown.length === 0) {
    const passes = results.filter((r) => r.status === "pass").length;
    return [`  no findings (${passes} passed${options.onlyFindings ? ", not listed" : ""})`];
  }
  const statusOf = (r: PolicyResult) =>
    r.status === "fail" && isAtLeast(r.severity, failAt) ? "FAIL" : r.status;
  const lines = table([
    ["RULE", "SEVERITY", "STATUS", "RESOURCE"],
    ...shown.map((r) => [r.ruleId, r.severity, statusOf(r), where(r)]),
  ]);
  const out = [`  ${lines[0]}`];
  shown.forEach((r, i) => {
    out.push(`  ${lines[i + 1]}`);
    if (r.status === "pass") return;
    out.push(`      ${r.message}`);
    if (r.status === "waived" && r.waiver) {
      out.push(`      waived until ${r.waiver.expires}: ${r.waiver.reason}`);
    } else {
      out.push(`      fix: ${r.fix}`);
    }
  });
  return out;
}

const count = (results: readonly PolicyResult[], status: PolicyResult["status"]) =>
  results.filter((r) => r.status === status).length;

/**
 * One table per stack (rule, severity, status, resource), the waiver findings of each
 * environment, and a summary. "FAIL" marks findings at or above the environment's threshold;
 * "fail" ones below it are reported but do not fail synth.
 */
export function formatReport(
  environments: readonly EnvironmentReport[],
  verdict: Verdict,
  options: TableOptions = {},
): string {
  const out: string[] = [];
  for (const env of environments) {
    for (const stack of env.stacks) {
      out.push(
        `${stack.stack} — ${env.stage}, preset ${env.compliancePreset}, packs ${env.packs.join(" + ")}, fails at ${env.failAt}`,
        ...resultLines(stack.results, env.failAt, options),
      );
      if (stack.notApplicable.length > 0) {
        out.push(
          `  not applicable (${stack.notApplicable.length}): ${stack.notApplicable.map((n) => n.ruleId).join(", ")}`,
        );
      }
      out.push("");
    }
    if (env.waiverFindings.length > 0) {
      out.push(
        `waivers of ${env.environment}`,
        ...resultLines(env.waiverFindings, env.failAt, options),
        "",
      );
    }
  }
  const rows = environments.flatMap((env) =>
    env.stacks.map((s) => {
      const blocking = s.results.filter(
        (r) => r.status === "fail" && isAtLeast(r.severity, env.failAt),
      ).length;
      return [
        env.environment,
        s.stack,
        env.failAt,
        String(count(s.results, "pass")),
        String(count(s.results, "fail")),
        String(blocking),
        String(count(s.results, "waived")),
        String(s.notApplicable.length),
      ];
    }),
  );
  const waiverProblems = environments.reduce((n, e) => n + e.waiverFindings.length, 0);
  out.push(
    "Summary",
    ...table([
      ["ENVIRONMENT", "STACK", "FAILS AT", "PASS", "FAIL", "BLOCKING", "WAIVED", "N/A"],
      ...rows,
    ]).map((l) => `  ${l}`),
  );
  if (waiverProblems > 0) out.push(`  waiver findings: ${waiverProblems}`);
  out.push(
    "",
    verdict.fail
      ? `Result: FAIL — ${verdict.blocking.length} finding(s) at or above their environment's threshold`
      : "Result: PASS — no unwaived finding at or above any environment's threshold",
  );
  return out.join("\n");
}
