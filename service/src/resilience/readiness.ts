/**
 * What `/health/ready` says about the dependencies: each one's breaker state and whether it
 * answers a probe now (`SELECT 1`, Redis `PING`), and whether the pod can serve at all.
 *
 * - ready, "ok": everything answers;
 * - ready, "degraded": something does not, but one PostgreSQL endpoint does (Redis down:
 *   search from PostgreSQL; reader down: reads from the writer; writer down: reads still work);
 * - not ready, "unavailable": neither PostgreSQL endpoint answers.
 *
 * Probes go through the dependencies' policies like any call: an open breaker answers at once
 * (not up) without touching the dependency, and once the open duration has passed, the probe
 * is the breaker's half-open test, so a breaker recovers even when no traffic arrives. A probe
 * refused because the breaker's half-open probes are running counts as up: the dependency has
 * just answered one. Concurrent checks share one round of probes.
 */
import type { Dependency, DependencyName } from "../adapters/dependency";
import { isShortCircuit } from "./errors";
import { DEPENDENCY_LABELS } from "./observer";

/** Longest a probe may take before the dependency counts as not answering (kubelet: 2 s). */
const PROBE_TIMEOUT_MS = 1_000;

export interface DependencyProbe {
  readonly dependency: Dependency;
  probe(): Promise<unknown>;
  /** More to report, e.g. the Redis connection's state. */
  details?(): Record<string, string>;
}

export interface DependencyStatus {
  readonly up: boolean;
  readonly breaker: Dependency["state"];
  readonly [detail: string]: unknown;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: "ok" | "degraded" | "unavailable";
  /** By metric label: `postgres_writer`, `postgres_reader`, `redis`. */
  readonly dependencies: Readonly<Record<string, DependencyStatus>>;
}

export class Readiness {
  private running: Promise<ReadinessReport> | undefined;

  constructor(private readonly probes: Readonly<Record<DependencyName, DependencyProbe>>) {}

  check(): Promise<ReadinessReport> {
    this.running ??= this.probeAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async probeAll(): Promise<ReadinessReport> {
    const names = Object.keys(this.probes) as DependencyName[];
    const up = await Promise.all(names.map((name) => answers(this.probes[name])));
    const isUp = Object.fromEntries(names.map((name, i) => [name, up[i]])) as Record<
      DependencyName,
      boolean
    >;
    const dependencies = Object.fromEntries(
      names.map((name) => {
        const p = this.probes[name];
        return [
          DEPENDENCY_LABELS[name],
          { up: isUp[name], breaker: p.dependency.state, ...p.details?.() },
        ];
      }),
    );
    const ready = isUp.postgresWriter || isUp.postgresReader;
    const status = !ready ? "unavailable" : up.every(Boolean) ? "ok" : "degraded";
    return { ready, status, dependencies };
  }
}

async function answers(p: DependencyProbe): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      p.probe(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error("probe timed out")), PROBE_TIMEOUT_MS);
      }),
    ]);
    return true;
  } catch (err) {
    return isShortCircuit(err) && p.dependency.state === "half-open";
  } finally {
    clearTimeout(timer);
  }
}
