import { COMPLIANCE_PRESETS } from "@search-platform/service/settings";
import type { PlatformConfig, Stage } from "../../stacks/config";
import type { PolicyContext } from "../model";

/** The parts of an environment's config the policies read. */
export type PolicyConfig = Pick<PlatformConfig, "name" | "stage" | "compliance" | "policy">;

/**
 * Floors that depend on the stage. Prod keeps 30 days of database backups (REFERENCE.md:
 * "backups 30 days") and 7 of cache snapshots ("Redis snapshots hourly, 7 days"); other stages
 * keep a week of backups and a day of snapshots.
 */
export const STAGE_FLOORS: Readonly<
  Record<
    Stage,
    { readonly backupRetentionInDays: number; readonly cacheSnapshotRetentionInDays: number }
  >
> = {
  dev: { backupRetentionInDays: 7, cacheSnapshotRetentionInDays: 1 },
  staging: { backupRetentionInDays: 7, cacheSnapshotRetentionInDays: 1 },
  prod: { backupRetentionInDays: 30, cacheSnapshotRetentionInDays: 7 },
};

/** What the rules know about an environment, from its config. */
export function policyContext(config: PolicyConfig): PolicyContext {
  const floors = STAGE_FLOORS[config.stage];
  return {
    environment: config.name,
    stage: config.stage,
    compliancePreset: config.compliance.preset,
    minAuditRetentionInDays: COMPLIANCE_PRESETS[config.compliance.preset].minAuditRetentionInDays,
    minBackupRetentionInDays: Math.max(
      floors.backupRetentionInDays,
      config.policy.minBackupRetentionInDays ?? 0,
    ),
    minCacheSnapshotRetentionInDays: floors.cacheSnapshotRetentionInDays,
  };
}
