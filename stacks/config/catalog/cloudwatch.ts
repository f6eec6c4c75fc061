import { CLOUDWATCH_LOG_RETENTION_DAYS } from "../../../constructs/observability/log-retention";

/** The retention periods CloudWatch Logs accepts; the construct library owns the list. */
export const CLOUDWATCH_RETENTION_DAYS = CLOUDWATCH_LOG_RETENTION_DAYS;

/**
 * The shortest retention CloudWatch accepts that keeps records at least `days`.
 * HIPAA's 2555 days becomes 2557, GDPR's 1095 becomes 1096.
 */
export function cloudWatchRetentionAtLeast(days: number): number {
  const fit = CLOUDWATCH_RETENTION_DAYS.find((d) => d >= days);
  if (fit === undefined) {
    throw new RangeError(
      `no CloudWatch Logs retention keeps records for ${days} days (longest is 3653)`,
    );
  }
  return fit;
}
