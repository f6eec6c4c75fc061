import type { CompliancePresetName } from "@search-platform/service/settings";
import {
  POLICY_TABLE,
  WAIVER_CHECK_INFO,
  type CheckInfo,
  type PolicyEntry,
} from "../packs/catalog";
import { FRAMEWORKS, FRAMEWORK_NAMES, type Framework } from "../packs/frameworks";
import { PRESET_PACKS } from "../packs/presets";

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function controls(check: CheckInfo): string {
  return FRAMEWORK_NAMES.filter((f) => (check.frameworks[f]?.length ?? 0) > 0)
    .map((f: Framework) => `${FRAMEWORKS[f].title} ${(check.frameworks[f] ?? []).join(", ")}`)
    .join("<br>");
}

function packs(entry: PolicyEntry): string {
  return [
    ...(entry.baseline ? ["baseline"] : []),
    ...FRAMEWORK_NAMES.filter((f) => (entry.frameworks[f]?.length ?? 0) > 0),
  ].join(", ");
}

/**
 * RULES.md, from the policy table. `ruleFiles` maps rule ids to their source file (relative to
 * policies/), to link each rule to its code.
 */
export function renderRulesDoc(
  ruleFiles: ReadonlyMap<string, string>,
  table: readonly PolicyEntry[] = POLICY_TABLE,
): string {
  const bySeverity = (s: string) => table.filter((e) => e.severity === s).length;
  const lines = [
    "# Policy rules",
    "",
    "<!-- Generated from policies/packs/catalog.ts by `npm run policy:docs`. Do not edit by hand: a test fails when this file is out of date. -->",
    "",
    `${table.length} rules (${bySeverity("critical")} critical, ${bySeverity("high")} high, ${bySeverity("medium")} medium, ${bySeverity("low")} low) over the synthesized Terraform JSON of each stack, and ${WAIVER_CHECK_INFO.length} checks on the waivers themselves. A value a rule cannot read — not set without a safe default, a variable, a function call, a reference it cannot follow — is a finding, never a pass.`,
    "",
    "## Packs",
    "",
    "An environment runs the packs of its compliance preset (`compliance.preset`) plus `policy.additionalPacks`. The baseline pack holds the rules marked baseline; each framework pack holds every rule that cites the framework. Unwaived findings at or above `policy.failAt` fail synth.",
    "",
    "| Preset | Packs |",
    "| --- | --- |",
    ...(Object.entries(PRESET_PACKS) as [CompliancePresetName, readonly string[]][]).map(
      ([preset, list]) => `| \`${preset}\` | ${list.join(" + ")} |`,
    ),
    "",
    'SOX maps to SOC 2: SOX asks for IT general controls (access, change, operations), which auditors test against SOC 2\'s CC6, CC7 and CC8. PCI DSS is in no preset; add it with `policy.additionalPacks: ["pci-dss"]`.',
    "",
    "Frameworks: " +
      FRAMEWORK_NAMES.map((f) => `${FRAMEWORKS[f].title} (${FRAMEWORKS[f].source})`).join("; ") +
      ".",
    "",
    "## Rules",
    "",
    "| Id | Severity | Packs | Controls | What and why |",
    "| --- | --- | --- | --- | --- |",
    ...table.map((e) => {
      const file = ruleFiles.get(e.id);
      const id = file ? `[\`${e.id}\`](${file})` : `\`${e.id}\``;
      return `| ${id} | ${e.severity} | ${packs(e)} | ${controls(e)} | **${cell(e.info)}** ${cell(e.explanation)} |`;
    }),
    "",
    "## Waiver checks",
    "",
    "A waiver (`policy.waivers`: rule, resource, reason, expires) accepts one finding until its expiry day; waived findings stay in every report, marked waived. These checks run on the waivers and cannot be waived.",
    "",
    "| Id | Severity | Controls | What and why |",
    "| --- | --- | --- | --- |",
    ...WAIVER_CHECK_INFO.map(
      (c) =>
        `| \`${c.id}\` | ${c.severity} | ${controls(c)} | **${cell(c.info)}** ${cell(c.explanation)} |`,
    ),
    "",
  ];
  return lines.join("\n");
}
