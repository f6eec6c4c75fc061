/**
 * Thresholds of the alarms on the service's own metrics, from the same tier table the service
 * and the SLO use.
 */
import { SLA_TIERS } from "@search-platform/service/settings";
import type { PlatformConfig } from "../config";

export interface ServiceAlarmThresholds {
  /** The tier's p95 objective, in seconds (the latency metric's unit). */
  readonly latencyP95Seconds: number;
  /** Share of responses that are 5xx, in percent (REFERENCE.md: > 1% for 5 min). */
  readonly serverErrorPercent: number;
  /** Minutes the error rate or the latency must stay high before the alarm fires. */
  readonly sustainedMinutes: number;
}

/** The alarm thresholds of an environment: the p95 alarm is its SLA tier's p95 objective. */
export function deriveServiceAlarmThresholds(config: PlatformConfig): ServiceAlarmThresholds {
  return {
    latencyP95Seconds: SLA_TIERS[config.sla.tier].p95LatencyMs / 1000,
    serverErrorPercent: 1,
    sustainedMinutes: 5,
  };
}
