/**
 * Prometheus metrics. The names and labels are a contract: the platform alarms on them.
 *
 * One registry per app instance (tests start several in one process).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { PoolStats } from "../adapters/postgres/database";
import { WindowedSummary } from "./windowed-summary";

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration, by method, route and status.",
    labelNames: ["method", "route", "status"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  /**
   * Quantiles over a sliding 5-minute window, so the CloudWatch agent can ship a p95 as is.
   * Observed on every request: a `WindowedSummary` (prom-client's Summary costs ~3 µs an
   * observation in t-digest insertions; same exposition and window).
   */
  readonly httpQuantiles = new WindowedSummary({
    name: "http_request_duration_quantiles_seconds",
    help: "HTTP request duration quantiles over the last 5 minutes, by route.",
    labelNames: ["route"] as const,
    percentiles: [0.5, 0.95, 0.99],
    maxAgeSeconds: 300,
    ageBuckets: 5,
    registers: [this.registry],
  });

  readonly searchDuration = new Histogram({
    name: "search_duration_seconds",
    help: "Time to answer a search, cache included.",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly searchCacheRequests = new Counter({
    name: "search_cache_requests_total",
    help: "Search cache lookups by result (stale: served stale while PostgreSQL was down).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });

  readonly rateLimitRejections = new Counter({
    name: "rate_limit_rejections_total",
    help: "Requests refused with 429, by operation and tier (tier `ip`: per client IP).",
    labelNames: ["operation", "tier"] as const,
    registers: [this.registry],
  });

  readonly dependencyErrors = new Counter({
    name: "dependency_errors_total",
    help: "Failed calls to a dependency that the service absorbed (fallback taken).",
    labelNames: ["dependency", "operation"] as const,
    registers: [this.registry],
  });

  /** 0 closed, 1 half-open, 2 open; the platform alarms on exactly these values. */
  readonly circuitBreakerState = new Gauge({
    name: "circuit_breaker_state",
    help: "Circuit breaker state by dependency: 0 closed, 1 half-open, 2 open.",
    labelNames: ["dependency"] as const,
    registers: [this.registry],
  });

  readonly dependencyFallbacks = new Counter({
    name: "dependency_fallbacks_total",
    help: "Requests answered through a fallback, by kind (the X-Degraded values).",
    labelNames: ["kind"] as const,
    registers: [this.registry],
  });

  readonly dependencyCalls = new Counter({
    name: "dependency_calls_total",
    help: "Attempts that reached a dependency, by outcome as its breaker counts them (ok, failed, slow).",
    labelNames: ["dependency", "outcome"] as const,
    registers: [this.registry],
  });

  readonly dependencyRejections = new Counter({
    name: "dependency_rejections_total",
    help: "Calls the resilience policy stopped itself: breaker_open, bulkhead_full, timeout.",
    labelNames: ["dependency", "reason"] as const,
    registers: [this.registry],
  });

  readonly dependencyRetries = new Counter({
    name: "dependency_retries_total",
    help: "Attempts after a transient failure of an idempotent call, by dependency.",
    labelNames: ["dependency"] as const,
    registers: [this.registry],
  });

  constructor(pools: Readonly<Record<"writer" | "reader", { stats(): PoolStats }>>) {
    for (const result of ["hit", "miss", "stale"]) this.searchCacheRequests.labels(result).inc(0);
    new Gauge({
      name: "db_pool_connections",
      help: "PostgreSQL pool connections by pool and state.",
      labelNames: ["pool", "state"] as const,
      registers: [this.registry],
      collect() {
        for (const [pool, db] of Object.entries(pools)) {
          const s = db.stats();
          this.labels(pool, "in_use").set(s.total - s.idle);
          this.labels(pool, "idle").set(s.idle);
          this.labels(pool, "waiting").set(s.waiting);
        }
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }
}
