import { isKnown, type PropRule } from "../core";

/**
 * The retention periods CloudWatch Logs accepts; PutRetentionPolicy rejects any other value, so
 * constructs check a retention prop against this list at synth time rather than at apply time.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const CLOUDWATCH_LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** True when CloudWatch Logs accepts `days` as a log group's retention. */
export function isCloudWatchLogRetention(days: number): boolean {
  return (CLOUDWATCH_LOG_RETENTION_DAYS as readonly number[]).includes(days);
}

/** A validation rule: `name` must be a retention CloudWatch Logs accepts. */
export function logRetentionRule(name: string, days: number): PropRule {
  return {
    violated: isKnown(days) && !isCloudWatchLogRetention(days),
    message: `\`${name}\` must be a retention CloudWatch Logs accepts (${CLOUDWATCH_LOG_RETENTION_DAYS.join(", ")}), got ${days}`,
  };
}
