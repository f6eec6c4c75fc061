/**
 * The retention periods CloudWatch Logs accepts (PutRetentionPolicy rejects any other value).
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

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
