/**
 * SARIF 2.1.0 output (OASIS), the format code-scanning tools ingest: one run, the policy table
 * as `tool.driver.rules`, one result per finding located in the synthesized file and at the
 * logical resource, waived findings carrying an accepted suppression.
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import { createHash } from "node:crypto";
import type { EnvironmentReport, PolicyResult } from "../engine/evaluate";
import type { SynthesizedStack } from "../engine/synthesized";
import { isAtLeast, type Severity } from "../model";
import { CHECKS_BY_ID, type CheckInfo } from "../packs/catalog";
import { FRAMEWORKS, type Framework } from "../packs/frameworks";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

type Level = "error" | "warning" | "note";

/** GitHub reads `security-severity` (0-10) to rank security results. */
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: "9.5",
  high: "8.0",
  medium: "5.5",
  low: "3.0",
};
const DEFAULT_LEVEL: Record<Severity, Level> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
};

export interface SarifOptions {
  /** Where the synthesized stacks are, relative to the repository root (`cdktf.out`). */
  readonly outdir: string;
  /** The environment file findings about waivers point at, e.g. `stacks/environments/dev.ts`. */
  readonly environmentFile?: (environment: string) => string | undefined;
  readonly toolVersion?: string;
}

function ruleDescriptor(check: CheckInfo) {
  const controls = Object.entries(check.frameworks).flatMap(([framework, refs]) =>
    (refs ?? []).map((ref) => `${FRAMEWORKS[framework as Framework].title} ${ref}`),
  );
  return {
    id: check.id,
    name: check.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: check.info },
    fullDescription: { text: check.explanation },
    help: {
      text: `${check.info}\n\n${check.explanation}\n\nControls: ${controls.join("; ") || "none"}`,
      markdown: `**${check.info}**\n\n${check.explanation}\n\nControls: ${controls.join("; ") || "none"}`,
    },
    defaultConfiguration: { level: DEFAULT_LEVEL[check.severity] },
    properties: {
      tags: ["security", "policy", ...controls],
      precision: "high",
      "security-severity": SECURITY_SEVERITY[check.severity],
      severity: check.severity,
    },
  };
}

/**
 * The 1-based line of a block's key in the file cdktf wrote (json-stable-stringify, two-space
 * indent): `resource` → type → name. Undefined when it cannot be found.
 */
export function lineOf(text: string, address: string): number | undefined {
  const lines = text.split("\n");
  const find = (from: number, needle: string) =>
    lines.findIndex((l, i) => i >= from && l === needle);
  const parts = address.split(".");
  const [section, type, name] =
    parts[0] === "data"
      ? ["data", parts[1], parts.slice(2).join(".")]
      : ["resource", parts[0], parts.slice(1).join(".")];
  if (!type || !name) return undefined;
  const top = find(0, `  "${section}": {`);
  const typeLine = top < 0 ? -1 : find(top, `    "${type}": {`);
  const nameLine = typeLine < 0 ? -1 : find(typeLine, `      "${name}": {`);
  return nameLine < 0 ? undefined : nameLine + 1;
}

function fingerprint(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 32);
}

/** A SARIF 2.1.0 log of every finding (failed or waived) of the app. */
export function toSarif(
  environments: readonly EnvironmentReport[],
  stacks: readonly SynthesizedStack[],
  options: SarifOptions,
) {
  const checks = [...CHECKS_BY_ID.values()];
  const ruleIndex = new Map(checks.map((c, i) => [c.id, i]));
  const files = new Map(stacks.map((s) => [s.name, s]));
  const results = environments.flatMap((env) => {
    const toResult = (r: PolicyResult, stack: string | undefined) => {
      const synthesized = stack ? files.get(stack) : undefined;
      const artifact = synthesized
        ? `${options.outdir}/${synthesized.file}`
        : options.environmentFile?.(env.environment);
      const line = synthesized ? lineOf(synthesized.text, r.resource.address) : undefined;
      const blocking = r.status === "fail" && isAtLeast(r.severity, env.failAt);
      const level: Level = blocking ? "error" : r.severity === "low" ? "note" : "warning";
      return {
        ruleId: r.ruleId,
        ruleIndex: ruleIndex.get(r.ruleId) ?? -1,
        level,
        message: { text: `${r.message}\nFix: ${r.fix}` },
        locations: [
          {
            ...(artifact
              ? {
                  physicalLocation: {
                    artifactLocation: { uri: artifact, uriBaseId: "%SRCROOT%" },
                    ...(line ? { region: { startLine: line } } : {}),
                  },
                }
              : {}),
            logicalLocations: [
              {
                name: r.resource.address,
                fullyQualifiedName: `${stack ?? `environment ${env.environment}`}/${r.resource.address}`,
                kind: stack ? "resource" : "member",
              },
            ],
          },
        ],
        partialFingerprints: {
          "policyFinding/v1": fingerprint(
            env.environment,
            stack ?? "",
            r.ruleId,
            r.resource.address,
          ),
        },
        ...(r.status === "waived" && r.waiver
          ? {
              suppressions: [
                {
                  kind: "external",
                  status: "accepted",
                  justification: `${r.waiver.reason} (waiver expires ${r.waiver.expires})`,
                },
              ],
            }
          : {}),
        properties: {
          severity: r.severity,
          environment: env.environment,
          stack: stack ?? null,
          constructPath: r.resource.constructPath ?? null,
          blocking,
        },
      };
    };
    return [
      ...env.stacks.flatMap((s) =>
        s.results.filter((r) => r.status !== "pass").map((r) => toResult(r, s.stack)),
      ),
      ...env.waiverFindings.map((r) => toResult(r, undefined)),
    ];
  });
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0" as const,
    runs: [
      {
        tool: {
          driver: {
            name: "search-platform-policies",
            version: options.toolVersion ?? "0.1.0",
            rules: checks.map(ruleDescriptor),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { description: { text: "The repository root." } } },
        columnKind: "unicodeCodePoints",
        results,
      },
    ],
  };
}
