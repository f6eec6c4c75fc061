/**
 * The `policy` section of an environment's config: which findings fail synth, which packs run
 * besides the compliance preset's, and the waivers. `PlatformConfig` embeds this schema.
 */
import { z } from "zod";
import { SEVERITIES } from "./model";
import { PACK_NAMES } from "./packs/frameworks";

/** `YYYY-MM-DD`, a real calendar day; one message per mistake. */
const isoDate = () =>
  z.string().superRefine((day, ctx) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      ctx.addIssue({ code: "custom", message: "must be a date like 2026-03-31" });
    } else if (
      Number.isNaN(Date.parse(`${day}T00:00:00Z`)) ||
      !new Date(`${day}T00:00:00Z`).toISOString().startsWith(day)
    ) {
      ctx.addIssue({ code: "custom", message: "must be a real calendar date" });
    }
  });

/**
 * An accepted finding: one rule on one resource, for a reason, until a date. The waiver applies
 * through its `expires` day; from the next day the finding counts again and the expired waiver
 * is itself reported.
 */
export const waiverSchema = z.strictObject({
  /** The rule's id, e.g. "eks-endpoint-private". */
  rule: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "must be a rule id like eks-endpoint-private"),
  /**
   * The resource: its Terraform address (`aws_nat_gateway.network_nat_a_1A2B3C4D`), its construct
   * path (`search-dev-infra/network/nat-a`), or a construct path prefix ending in `/*`.
   */
  resource: z.string().min(1),
  /** Why the risk is accepted; shown in every report. */
  reason: z.string().trim().min(20, "must say why the risk is accepted (at least 20 characters)"),
  /** Last day the waiver applies (UTC), `YYYY-MM-DD`. */
  expires: isoDate(),
});
export type Waiver = z.output<typeof waiverSchema>;

export const policySettingsSchema = z.strictObject({
  /** Unwaived findings of this severity or worse fail synth. @default "high" */
  failAt: z.enum(SEVERITIES).default("high"),
  /** Packs to run besides the baseline and the compliance preset's. @default [] */
  additionalPacks: z.array(z.enum(PACK_NAMES)).default([]),
  /**
   * Least Aurora backup retention; can only raise the stage's floor (7 days, 30 in prod).
   * @default the stage's floor
   */
  minBackupRetentionInDays: z.int().min(1).max(35).optional(),
  /** Accepted findings. @default [] */
  waivers: z.array(waiverSchema).default([]),
});
export type PolicySettings = z.output<typeof policySettingsSchema>;
