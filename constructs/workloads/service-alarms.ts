import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { type AlarmTopicReference, resourceName, validateProps } from "../core";
import {
  BREAKER_DEPENDENCIES,
  type BreakerDependency,
  CACHE_RESULTS,
  P95_QUANTILE,
  P99_QUANTILE,
  RATE_LIMIT_TIERS,
  SERVICE_METRICS,
  STATUS_CLASS_LABEL,
  STATUS_CLASSES,
} from "./service-metrics";

export interface ServiceAlarmsProps {
  /** The CloudWatch namespace the collector writes the service's metrics to. */
  readonly metricsNamespace: string;
  /** Where the alarms (and their recoveries) are sent. */
  readonly alarmTopic: AlarmTopicReference;
  /** The SLO's p95 latency for a search, in seconds: the latency alarm's threshold. */
  readonly latencyP95Seconds: number;
  /**
   * Search p99 latency, in seconds, past which the tail is critical whatever the tier: users
   * wait seconds for one search in a hundred.
   * @default 2 (REFERENCE.md "search p99", critical)
   */
  readonly latencyP99CriticalSeconds?: number;
  /**
   * Share of responses that may be 5xx, in percent.
   * @default 1 (REFERENCE.md)
   */
  readonly serverErrorPercent?: number;
  /**
   * Cache hit rate, in percent, below which the cache is probably down or useless (searches
   * that skip an unreachable cache count as misses); 0 turns the alarm off, as it should be
   * where `cache.enabled` is false.
   * @default 10 (REFERENCE.md "cache hit rate", critical)
   */
  readonly cacheHitRateFloorPercent?: number;
  /**
   * Lookups a minute below which the hit rate is not judged: a quiet environment's few
   * searches are too few to say anything.
   * @default 100
   */
  readonly cacheMinimumLookupsPerMinute?: number;
  /**
   * Share of requests refused with 429, in percent, for 5 minutes: a warning (tenants pressing
   * on their limits) and a critical level (a client gone wild, or limits set too low).
   * @default { warning: 5, critical: 15 } (REFERENCE.md "rate-limit rejections")
   */
  readonly rateLimitRejectionPercent?: { readonly warning: number; readonly critical: number };
  /**
   * Requests a minute below which the share of 429s is not judged (a quiet environment's
   * handful of requests says nothing).
   * @default 100
   */
  readonly minimumRequestsPerMinute?: number;
  /**
   * Minutes the latency or the error rate must stay above threshold.
   * @default 5 (REFERENCE.md)
   */
  readonly sustainedMinutes?: number;
  /**
   * Prefix of the alarm names, unique in the account and region.
   * @default - the construct's path below its stack
   */
  readonly namePrefix?: string;
  /** Named in the descriptions, so the responder knows where to look. */
  readonly context: {
    readonly clusterName: string;
    readonly namespace: string;
  };
}

const BREAKER_FIRST_CHECKS: Record<BreakerDependency, string> = {
  postgres_writer:
    "the Aurora writer first (CPU, DatabaseConnections, an RDS failover event), then the app role's IAM sign-in (rds-db:connect) and the pods' egress to the database port. Writes fail with 503 meanwhile.",
  postgres_reader:
    "the Aurora readers first (ReplicaLag, CPU, a reader being replaced by autoscaling). Reads fall back to the writer meanwhile: watch its CPU.",
  redis:
    "ElastiCache first (EngineCPUUtilization, CurrConnections, a failover event), then the app user's IAM sign-in (elasticache:Connect). Searches go straight to PostgreSQL meanwhile: watch the readers' CPU.",
};

/**
 * Alarms on the search service's own metrics, sent to the environment's topic:
 *
 * - search latency: the slowest pod's p95 above the tier's objective for 5 minutes
 *   (CloudWatch cannot merge the pods' summaries into one p95; the worst pod's is the
 *   conservative stand-in — one slow pod serves its share of users slowly);
 * - tail latency: the slowest pod's search p99 above 2 s for 5 minutes (REFERENCE.md, critical);
 * - server errors: more than 1% of responses 5xx for 5 minutes (REFERENCE.md, critical);
 * - cache hit rate: below 10% for a minute with at least 100 lookups (REFERENCE.md, critical:
 *   the cache is probably down);
 * - rate-limit rejections: more than 5% (warning) or 15% (critical) of requests answered 429
 *   for 5 minutes, with at least 100 requests a minute (REFERENCE.md);
 * - circuit breakers: one alarm per dependency when more than half of the pods have its
 *   breaker open (the mean of a 0/1/2 gauge above 1), for a minute;
 * - silence: no metrics at all for 5 minutes means the other alarms are blind.
 */
export class ServiceAlarms extends Construct {
  public readonly latencyAlarm: CloudwatchMetricAlarm;
  public readonly tailLatencyAlarm: CloudwatchMetricAlarm;
  public readonly serverErrorAlarm: CloudwatchMetricAlarm;
  /** Undefined when `cacheHitRateFloorPercent` is 0. */
  public readonly cacheHitRateAlarm?: CloudwatchMetricAlarm;
  public readonly rateLimitAlarms: Readonly<Record<"warning" | "critical", CloudwatchMetricAlarm>>;
  public readonly breakerAlarms: Readonly<Record<BreakerDependency, CloudwatchMetricAlarm>>;
  public readonly silenceAlarm: CloudwatchMetricAlarm;

  /** Every alarm's ARN (a dashboard's alarm section reads them). */
  public get alarmArns(): string[] {
    return this.node.children
      .filter((c): c is CloudwatchMetricAlarm => c instanceof CloudwatchMetricAlarm)
      .map((alarm) => alarm.arn);
  }

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const serverErrorPercent = props.serverErrorPercent ?? 1;
    const sustainedMinutes = props.sustainedMinutes ?? 5;
    const latencyP99CriticalSeconds = props.latencyP99CriticalSeconds ?? 2;
    const cacheHitRateFloorPercent = props.cacheHitRateFloorPercent ?? 10;
    const cacheMinimumLookups = props.cacheMinimumLookupsPerMinute ?? 100;
    const rejectionPercent = props.rateLimitRejectionPercent ?? { warning: 5, critical: 15 };
    const minimumRequests = props.minimumRequestsPerMinute ?? 100;
    const prefix = resourceName(this, props.namePrefix, 200);
    const { metricsNamespace: namespace, context } = props;
    const where = `namespace ${context.namespace} on EKS cluster ${context.clusterName}`;

    validateProps("ServiceAlarms", [
      {
        violated: !(props.latencyP95Seconds > 0),
        message: `\`latencyP95Seconds\` must be positive, got ${props.latencyP95Seconds}`,
      },
      {
        violated: !(latencyP99CriticalSeconds > 0),
        message: `\`latencyP99CriticalSeconds\` must be positive, got ${latencyP99CriticalSeconds}`,
      },
      {
        violated: !(cacheHitRateFloorPercent >= 0 && cacheHitRateFloorPercent < 100),
        message: `\`cacheHitRateFloorPercent\` must be from 0 to under 100, got ${cacheHitRateFloorPercent}`,
      },
      {
        violated: !Number.isInteger(cacheMinimumLookups) || cacheMinimumLookups < 1,
        message: `\`cacheMinimumLookupsPerMinute\` must be a whole number ≥ 1, got ${cacheMinimumLookups}`,
      },
      {
        violated: !(
          rejectionPercent.warning > 0 &&
          rejectionPercent.warning < rejectionPercent.critical &&
          rejectionPercent.critical < 100
        ),
        message: `\`rateLimitRejectionPercent\` must be 0 < warning < critical < 100, got ${rejectionPercent.warning} and ${rejectionPercent.critical}`,
      },
      {
        violated: !Number.isInteger(minimumRequests) || minimumRequests < 1,
        message: `\`minimumRequestsPerMinute\` must be a whole number ≥ 1, got ${minimumRequests}`,
      },
      {
        violated: !(serverErrorPercent > 0 && serverErrorPercent < 100),
        message: `\`serverErrorPercent\` must be between 0 and 100, got ${serverErrorPercent}`,
      },
      {
        violated: !Number.isInteger(sustainedMinutes) || sustainedMinutes < 1,
        message: `\`sustainedMinutes\` must be a whole number ≥ 1, got ${sustainedMinutes}`,
      },
    ]);

    const notify = {
      alarmActions: [props.alarmTopic.topicArn],
      okActions: [props.alarmTopic.topicArn],
    };

    this.latencyAlarm = new CloudwatchMetricAlarm(this, "search-latency", {
      alarmName: `${prefix}-search-latency-p95`,
      alarmDescription:
        `[warning] Search p95 latency above the SLO (${props.latencyP95Seconds * 1000} ms) for ${sustainedMinutes} minutes on at least one pod (${where}). ` +
        "Check first: circuit_breaker_state (a dependency open?), then the cache hit rate (search_cache_requests_total: a cold or failed cache sends every search to PostgreSQL), then Aurora reader CPU and ReplicaLag, then whether the HPA is at its maximum.",
      namespace,
      metricName: SERVICE_METRICS.latencyQuantiles,
      dimensions: { quantile: P95_QUANTILE },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: sustainedMinutes,
      datapointsToAlarm: sustainedMinutes,
      threshold: props.latencyP95Seconds,
      comparisonOperator: "GreaterThanThreshold",
      // No searches, no latency: not an alarm (silence has its own).
      treatMissingData: "notBreaching",
      tags: { severity: "warning" },
      ...notify,
    });

    this.tailLatencyAlarm = new CloudwatchMetricAlarm(this, "search-latency-p99", {
      alarmName: `${prefix}-search-latency-p99`,
      alarmDescription:
        `[critical] Search p99 latency above ${latencyP99CriticalSeconds * 1000} ms for ${sustainedMinutes} minutes on at least one pod (${where}): one search in a hundred takes seconds. ` +
        'Check first: the bulkhead (dependency_rejections_total{reason="bulkhead_full"}) and the pools (db_pool_connections waiting), then slow statements in Performance Insights, then a pod starved of CPU (its throttling in Container Insights).',
      namespace,
      metricName: SERVICE_METRICS.latencyQuantiles,
      dimensions: { quantile: P99_QUANTILE },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: sustainedMinutes,
      datapointsToAlarm: sustainedMinutes,
      threshold: latencyP99CriticalSeconds,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      tags: { severity: "critical" },
      ...notify,
    });

    if (cacheHitRateFloorPercent > 0) {
      const lookups = (result: string) => ({
        id: result,
        returnData: false,
        metric: {
          namespace,
          metricName: SERVICE_METRICS.cacheRequests,
          dimensions: { result },
          stat: "Sum",
          period: 60,
        },
      });
      this.cacheHitRateAlarm = new CloudwatchMetricAlarm(this, "cache-hit-rate", {
        alarmName: `${prefix}-cache-hit-rate`,
        alarmDescription:
          `[critical] Search cache hit rate below ${cacheHitRateFloorPercent}% for a minute, over at least ${cacheMinimumLookups} lookups (${where}): the cache is probably down. ` +
          "Check first: the redis circuit breaker and dependency_fallbacks_total{kind=\"cache-bypassed\"} (searches that skip an unreachable cache count as misses), then ElastiCache's Evictions and memory, then a burst of writes (each write empties its tenant's cached searches).",
        metricQuery: [
          lookups(CACHE_RESULTS.hit),
          lookups(CACHE_RESULTS.miss),
          {
            id: "lookups",
            expression: `FILL(${CACHE_RESULTS.hit}, 0) + FILL(${CACHE_RESULTS.miss}, 0)`,
            label: "lookups",
            returnData: false,
          },
          {
            id: "hitRate",
            // Too few lookups to judge: reported as 100%, not a breach.
            expression: `IF(lookups >= ${cacheMinimumLookups}, 100 * FILL(${CACHE_RESULTS.hit}, 0) / lookups, 100)`,
            label: "hit rate %",
            returnData: true,
          },
        ],
        evaluationPeriods: 1,
        threshold: cacheHitRateFloorPercent,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "notBreaching",
        tags: { severity: "critical" },
        ...notify,
      });
    }

    const countOf = (cls: string) => ({
      id: `c${cls[0]}`,
      returnData: false,
      metric: {
        namespace,
        metricName: SERVICE_METRICS.requestDuration,
        dimensions: { [STATUS_CLASS_LABEL]: cls },
        stat: "SampleCount",
        period: 60,
      },
    });
    const total = STATUS_CLASSES.map((cls) => `FILL(c${cls[0]}, 0)`).join(" + ");
    this.serverErrorAlarm = new CloudwatchMetricAlarm(this, "server-errors", {
      alarmName: `${prefix}-5xx-ratio`,
      alarmDescription:
        `[critical] More than ${serverErrorPercent}% of responses were 5xx for ${sustainedMinutes} minutes (${where}). ` +
        "Check first: circuit_breaker_state and dependency_fallbacks_total — 503s with Retry-After mean a dependency is down (see the infra stack's Aurora and Redis alarms); otherwise a rollout in progress (kubectl rollout status deployment/search), then the service's error logs by requestId.",
      metricQuery: [
        ...STATUS_CLASSES.map(countOf),
        {
          id: "total",
          expression: total,
          label: "requests",
          returnData: false,
        },
        {
          id: "errorPercent",
          expression: "IF(total > 0, 100 * FILL(c5, 0) / total, 0)",
          label: "5xx %",
          returnData: true,
        },
      ],
      evaluationPeriods: sustainedMinutes,
      datapointsToAlarm: sustainedMinutes,
      threshold: serverErrorPercent,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      tags: { severity: "critical" },
      ...notify,
    });

    const rejectedBy = (tier: string, i: number) => ({
      id: `r${i}`,
      returnData: false,
      metric: {
        namespace,
        metricName: SERVICE_METRICS.rateLimitRejections,
        dimensions: { tier },
        stat: "Sum",
        period: 60,
      },
    });
    const rejected = RATE_LIMIT_TIERS.map((_, i) => `FILL(r${i}, 0)`).join(" + ");
    const rateLimitAlarm = (severity: "warning" | "critical", percent: number) =>
      new CloudwatchMetricAlarm(this, `rate-limit-rejections-${severity}`, {
        alarmName: `${prefix}-429-ratio-${severity}`,
        alarmDescription:
          `[${severity}] More than ${percent}% of requests refused with 429 for ${sustainedMinutes} minutes, over at least ${minimumRequests} requests a minute (${where}). ` +
          `Check first: ${SERVICE_METRICS.rateLimitRejections} by operation and tier in CloudWatch namespace ${namespace} (one tier, or every one?), then the 429 lines in the service's logs for the tenants and key ids; tier ip means requests without a valid key, from the client addresses in the logs.`,
        metricQuery: [
          ...STATUS_CLASSES.map(countOf),
          ...RATE_LIMIT_TIERS.map(rejectedBy),
          { id: "total", expression: total, label: "requests", returnData: false },
          {
            id: "rejectedPercent",
            expression: `IF(total >= ${minimumRequests}, 100 * (${rejected}) / total, 0)`,
            label: "429 %",
            returnData: true,
          },
        ],
        evaluationPeriods: sustainedMinutes,
        datapointsToAlarm: sustainedMinutes,
        threshold: percent,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        tags: { severity },
        ...notify,
      });
    this.rateLimitAlarms = {
      warning: rateLimitAlarm("warning", rejectionPercent.warning),
      critical: rateLimitAlarm("critical", rejectionPercent.critical),
    };

    const breakerAlarms = {} as Record<BreakerDependency, CloudwatchMetricAlarm>;
    for (const dependency of BREAKER_DEPENDENCIES) {
      breakerAlarms[dependency] = new CloudwatchMetricAlarm(this, `breaker-${dependency}`, {
        alarmName: `${prefix}-breaker-open-${dependency.replace(/_/g, "-")}`,
        alarmDescription:
          `[critical] The ${dependency} circuit breaker is open on more than half of the pods for a minute (${where}). ` +
          `Check ${BREAKER_FIRST_CHECKS[dependency]}`,
        namespace,
        metricName: SERVICE_METRICS.breakerState,
        dimensions: { dependency },
        // Mean of 0 (closed) / 1 (half-open) / 2 (open) over the pods: above 1 when more
        // pods are open than closed.
        statistic: "Average",
        period: 60,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        tags: { severity: "critical" },
        ...notify,
      });
    }
    this.breakerAlarms = breakerAlarms;

    this.silenceAlarm = new CloudwatchMetricAlarm(this, "metrics-silent", {
      alarmName: `${prefix}-metrics-missing`,
      alarmDescription:
        `[critical] No metrics from the search service for 5 minutes (${where}): the alarms above are blind. ` +
        "Check first: are pods running (kubectl get pods -n " +
        `${context.namespace}), then the metrics collector (kubectl logs -n observability deploy/metrics-collector) and its permission to write to its log group.`,
      namespace,
      // Every pod reports its writer pool on every scrape, busy or idle.
      metricName: SERVICE_METRICS.poolConnections,
      dimensions: { pool: "writer", state: "in_use" },
      statistic: "SampleCount",
      period: 300,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      tags: { severity: "critical" },
      ...notify,
    });
  }
}
