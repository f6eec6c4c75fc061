import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { type AlarmTopicReference, resourceName, validateProps } from "../core";
import {
  BREAKER_DEPENDENCIES,
  type BreakerDependency,
  P95_QUANTILE,
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
   * Share of responses that may be 5xx, in percent.
   * @default 1 (REFERENCE.md)
   */
  readonly serverErrorPercent?: number;
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
 * - server errors: more than 1% of responses 5xx for 5 minutes (REFERENCE.md, critical);
 * - circuit breakers: one alarm per dependency when more than half of the pods have its
 *   breaker open (the mean of a 0/1/2 gauge above 1), for a minute;
 * - silence: no metrics at all for 5 minutes means the other alarms are blind.
 */
export class ServiceAlarms extends Construct {
  public readonly latencyAlarm: CloudwatchMetricAlarm;
  public readonly serverErrorAlarm: CloudwatchMetricAlarm;
  public readonly breakerAlarms: Readonly<Record<BreakerDependency, CloudwatchMetricAlarm>>;
  public readonly silenceAlarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const serverErrorPercent = props.serverErrorPercent ?? 1;
    const sustainedMinutes = props.sustainedMinutes ?? 5;
    const prefix = resourceName(this, props.namePrefix, 200);
    const { metricsNamespace: namespace, context } = props;
    const where = `namespace ${context.namespace} on EKS cluster ${context.clusterName}`;

    validateProps("ServiceAlarms", [
      {
        violated: !(props.latencyP95Seconds > 0),
        message: `\`latencyP95Seconds\` must be positive, got ${props.latencyP95Seconds}`,
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
