/**
 * How the search service's Prometheus metrics (GET /metrics) become CloudWatch metrics: which
 * metrics, with which dimensions. The collector's export rules and the alarms both read this
 * file, so an alarm never watches a metric or a dimension the pipeline does not produce.
 */
import { SLA_TIER_NAMES } from "@search-platform/service/settings";

/** One rule of the CloudWatch EMF exporter (`awsemf` `metric_declarations`). */
export interface EmfMetricDeclaration {
  /** Dimension sets to publish; each is a list of metric labels. */
  readonly dimensions: readonly (readonly string[])[];
  /** Regular expressions on the metric name. */
  readonly metric_name_selectors: readonly string[];
  /** Only data points whose labels match (values joined by ";"). */
  readonly label_matchers?: readonly {
    readonly label_names: readonly string[];
    readonly regex: string;
  }[];
}

/** The service's metric names (service/src, "Metrics"). */
export const SERVICE_METRICS = {
  /** Summary by route; quantiles 0.5/0.95/0.99 over a 5-minute sliding window. */
  latencyQuantiles: "http_request_duration_quantiles_seconds",
  /** Histogram by method, route, status. */
  requestDuration: "http_request_duration_seconds",
  /** Gauge by dependency: 0 closed, 1 half-open, 2 open. */
  breakerState: "circuit_breaker_state",
  fallbacks: "dependency_fallbacks_total",
  cacheRequests: "search_cache_requests_total",
  rateLimitRejections: "rate_limit_rejections_total",
  poolConnections: "db_pool_connections",
} as const;

/** The dependencies the service keeps a breaker for (the `dependency` label). */
export const BREAKER_DEPENDENCIES = ["postgres_writer", "postgres_reader", "redis"] as const;
export type BreakerDependency = (typeof BREAKER_DEPENDENCIES)[number];

/**
 * The label the collector adds from `status`: "2xx" ... "5xx" (see ClusterAddons), so that the
 * error rate is one metric per class rather than one per status code.
 */
export const STATUS_CLASS_LABEL = "status_class";
export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;

/**
 * Routes the latency objective applies to: the SLA tiers' p95 is a search objective
 * (REFERENCE.md "slow searches"); bulk indexing is allowed to take longer. A regular
 * expression on the `route` label, which carries the matched route's pattern.
 */
export const SEARCH_ROUTE_PATTERN = "^/v1/search$";

/** The quantile the latency alarm watches, as the `quantile` label renders it. */
export const P95_QUANTILE = "0.95";
/** The quantile the tail-latency alarm watches. */
export const P99_QUANTILE = "0.99";

/**
 * `rate_limit_rejections_total`'s `tier` values: the SLA tiers, and `ip` for requests charged to
 * their client address before a key is known.
 */
export const RATE_LIMIT_TIERS = [...SLA_TIER_NAMES, "ip"] as const;

/**
 * `search_cache_requests_total`'s `result` values: answered from the cache, not (or the cache
 * skipped), or answered from a stale copy while PostgreSQL was down.
 */
export const CACHE_RESULTS = { hit: "hit", miss: "miss", stale: "stale" } as const;

/**
 * The export rules for the search service's metrics. Every dimension set is small and bounded
 * (no pod, tenant or request id): CloudWatch bills per metric.
 */
export function searchServiceMetricDeclarations(): EmfMetricDeclaration[] {
  const only = (name: string) => [`^${name}$`];
  return [
    {
      // Latency of searches, across pods and search routes: the alarm's metric.
      dimensions: [["quantile"]],
      metric_name_selectors: only(SERVICE_METRICS.latencyQuantiles),
      label_matchers: [{ label_names: ["route"], regex: SEARCH_ROUTE_PATTERN }],
    },
    {
      // Latency per route, for the dashboard.
      dimensions: [["route", "quantile"]],
      metric_name_selectors: only(SERVICE_METRICS.latencyQuantiles),
    },
    {
      // Requests per status class; the statistic set's SampleCount counts requests.
      dimensions: [[STATUS_CLASS_LABEL]],
      metric_name_selectors: only(SERVICE_METRICS.requestDuration),
    },
    { dimensions: [["dependency"]], metric_name_selectors: only(SERVICE_METRICS.breakerState) },
    { dimensions: [["kind"]], metric_name_selectors: only(SERVICE_METRICS.fallbacks) },
    { dimensions: [["result"]], metric_name_selectors: only(SERVICE_METRICS.cacheRequests) },
    {
      // By operation and tier for the dashboard; by tier alone for the rejection-rate alarms
      // (four series an alarm can add up, where operation × tier would be twenty).
      dimensions: [["operation", "tier"], ["tier"]],
      metric_name_selectors: only(SERVICE_METRICS.rateLimitRejections),
    },
    {
      dimensions: [["pool", "state"]],
      metric_name_selectors: only(SERVICE_METRICS.poolConnections),
    },
  ];
}

/** Histograms whose counts are alarmed on (the collector turns them into per-interval counts). */
export const COUNTED_HISTOGRAMS: readonly string[] = [SERVICE_METRICS.requestDuration];
