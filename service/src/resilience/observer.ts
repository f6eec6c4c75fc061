/**
 * Wires the policies' events to metrics and logs:
 * `circuit_breaker_state{dependency}` (0 closed, 1 half-open, 2 open),
 * `dependency_calls_total{dependency,outcome}`, `dependency_rejections_total{dependency,reason}`,
 * `dependency_retries_total{dependency}`, and `dependency_fallbacks_total{kind}` through
 * `createFallbacks`. Dependency labels: `postgres_writer`, `postgres_reader`, `redis` (the
 * platform's alarms use exactly these).
 */
import { DEPENDENCY_NAMES, type BreakerState, type DependencyName } from "../adapters/dependency";
import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { FALLBACK_KINDS, Fallbacks } from "./fallbacks";
import type { PolicyObserver } from "./policy";

export const DEPENDENCY_LABELS: Readonly<Record<DependencyName, string>> = {
  postgresWriter: "postgres_writer",
  postgresReader: "postgres_reader",
  redis: "redis",
};

const GAUGE_VALUE: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  "half-open": 1,
  open: 2,
};

export function observePolicies(metrics: Metrics, logger: Logger): PolicyObserver {
  // Counted on every call: resolve the labelled children once.
  const calls = new Map<string, { inc(): void }>();
  for (const name of DEPENDENCY_NAMES) {
    const label = DEPENDENCY_LABELS[name];
    metrics.circuitBreakerState.labels(label).set(0);
    for (const outcome of ["ok", "failed", "slow"]) {
      calls.set(`${name}:${outcome}`, metrics.dependencyCalls.labels(label, outcome));
    }
  }
  return {
    stateChanged(dependency, state) {
      const label = DEPENDENCY_LABELS[dependency];
      metrics.circuitBreakerState.labels(label).set(GAUGE_VALUE[state]);
      const log = state === "open" ? logger.warn.bind(logger) : logger.info.bind(logger);
      log({ dependency: label, state }, `circuit breaker ${state}`);
    },
    called(dependency, { failed, slow }) {
      calls.get(`${dependency}:${failed ? "failed" : slow ? "slow" : "ok"}`)!.inc();
    },
    rejected(dependency, reason) {
      metrics.dependencyRejections.labels(DEPENDENCY_LABELS[dependency], reason).inc();
    },
    retried(dependency, attempt, delayMs, cause) {
      metrics.dependencyRetries.labels(DEPENDENCY_LABELS[dependency]).inc();
      const message = cause instanceof Error ? cause.message : String(cause);
      logger.debug(
        { dependency: DEPENDENCY_LABELS[dependency], attempt, delayMs, err: message },
        "retrying after a transient failure",
      );
    },
  };
}

export function createFallbacks(metrics: Metrics): Fallbacks {
  for (const kind of FALLBACK_KINDS) metrics.dependencyFallbacks.labels(kind).inc(0);
  return new Fallbacks((kind) => metrics.dependencyFallbacks.labels(kind).inc());
}
