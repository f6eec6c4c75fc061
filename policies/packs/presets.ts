import type { CompliancePresetName } from "@search-platform/service/settings";
import type { PackName } from "./frameworks";

/**
 * Which packs each compliance preset runs. Every preset runs the baseline; a regulated preset
 * adds its framework's pack, which brings the evidence-grade rules (control-plane, database and
 * cache logs to CloudWatch, customer-managed keys on log groups, ...).
 *
 * SOX maps to SOC 2: SOX asks for IT general controls over financial reporting (access, change
 * management, operations) and says nothing technical itself; of the frameworks here, SOC 2's
 * CC6 (access), CC7 (operations) and CC8 (change) criteria are the ones auditors test them
 * against. PCI DSS belongs to no preset (the platform does not store card data); an environment
 * that must meet it adds the pack with `policy.additionalPacks: ["pci-dss"]`.
 */
export const PRESET_PACKS: Readonly<Record<CompliancePresetName, readonly PackName[]>> = {
  none: ["baseline"],
  gdpr: ["baseline", "gdpr"],
  hipaa: ["baseline", "hipaa"],
  sox: ["baseline", "soc2"],
};

/** The packs an environment runs: its preset's, then the additional ones, without repeats. */
export function selectPacks(
  preset: CompliancePresetName,
  additional: readonly PackName[] = [],
): PackName[] {
  return [...new Set([...PRESET_PACKS[preset], ...additional])];
}
