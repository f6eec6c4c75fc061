/**
 * How many PostgreSQL connections each pod of the service may hold, from the Aurora instance
 * class and the most pods the service can ever run.
 */
import { auroraMaxConnections, type PlatformConfig } from "../config";
import { DerivationError } from "./derivation-error";

/**
 * Connections per instance kept out of the service's pools. Aurora counts every session
 * against max_connections, and these must still get in when the pools are full — which is
 * exactly when an operator needs them.
 */
export const RESERVED_CONNECTIONS = {
  /** `superuser_reserved_connections`: Aurora PostgreSQL keeps 3 for rds_superuser. */
  superuser: 3,
  /** The migration Job: the session holding the advisory lock, and one for a retry. */
  migration: 2,
  /** `node dist/src/admin.js` sessions an operator may open during an incident. */
  admin: 3,
  /** Monitoring: Performance Insights, the RDS agent, an operator's psql. */
  monitoring: 2,
} as const;

/** Connections per pool never go above this (REFERENCE.md: 20 per instance of the service). */
export const POOL_CEILING = 20;
/** Below this a pool serialises a pod's queries; the config must change instead. */
export const POOL_FLOOR = 2;
/** Each pod opens a writer pool and a reader pool. */
export const POOLS_PER_POD = 2;
/** Extra pods a rolling update may start beyond the HPA maximum, as a share of it. */
export const SURGE_SHARE = 0.25;

export interface ConnectionPlan {
  readonly instanceClass: string;
  /** Aurora's default max_connections for the instance class. */
  readonly maxConnections: number;
  /** Share of max_connections the pools may fill. */
  readonly poolShare: number;
  /** Sum of RESERVED_CONNECTIONS. */
  readonly reserved: number;
  /** Connections the pools of every pod may hold on one instance. */
  readonly budget: number;
  /** The Deployment's maxSurge: pods a rolling update adds beyond the HPA maximum. */
  readonly maxSurge: number;
  /** The most pods that can run at once: HPA maximum plus the rolling update's surge. */
  readonly peakPods: number;
  readonly writerPoolMax: number;
  readonly readerPoolMax: number;
  /** Every connection the fleet can open at its peak. */
  readonly connectionsAtPeak: number;
}

/**
 * Sizes the writer and reader pools so that every connection the fleet can open at its peak
 * fits, with headroom, on ONE instance:
 *
 * - the peak is the HPA maximum plus the rolling update's surge (a deploy at full scale runs
 *   both generations of pods at once);
 * - one instance, not one per endpoint: with no reader the reader endpoint resolves to the
 *   writer; with readers, DNS round-robin spreads long-lived pooled connections unevenly and a
 *   reader failure moves its connections to the others; a failover makes a reader the writer
 *   while the readers' connections are still open. Sized this way, none of these can exhaust
 *   max_connections;
 * - the pools fill at most the share of max_connections at which the connection alarm fires
 *   (observability.thresholds.auroraConnectionsPercent, 80% at most), minus the reserved
 *   connections: the alarm means something other than the service's pools is connecting;
 * - each pool is capped at POOL_CEILING: a Node.js process gains nothing from more.
 *
 * @throws DerivationError when the pools would fall below POOL_FLOOR.
 */
export function planConnections(config: PlatformConfig): ConnectionPlan {
  const { instanceClass } = config.aurora;
  const maxConnections = auroraMaxConnections(instanceClass);
  const poolShare = Math.min(0.8, config.observability.thresholds.auroraConnectionsPercent / 100);
  const reserved = Object.values(RESERVED_CONNECTIONS).reduce((a, b) => a + b, 0);
  const budget = Math.floor(maxConnections * poolShare) - reserved;
  const maxSurge = Math.max(1, Math.ceil(config.service.replicas.max * SURGE_SHARE));
  const peakPods = config.service.replicas.max + maxSurge;
  const perPool = Math.min(POOL_CEILING, Math.floor(budget / (peakPods * POOLS_PER_POD)));

  if (perPool < POOL_FLOOR) {
    const needed = peakPods * POOLS_PER_POD * POOL_FLOOR;
    throw new DerivationError(config.name, [
      {
        path: "service.replicas.max",
        message:
          `${config.service.replicas.max} pods (+${maxSurge} during a rollout) need ${needed} connections ` +
          `for pools of ${POOL_FLOOR}, but aurora.instanceClass "${instanceClass}" leaves ${budget} ` +
          `(max_connections ${maxConnections} × ${Math.round(poolShare * 100)}% − ${reserved} reserved); ` +
          "lower service.replicas.max or choose a larger aurora.instanceClass",
      },
    ]);
  }
  return {
    instanceClass,
    maxConnections,
    poolShare,
    reserved,
    budget,
    maxSurge,
    peakPods,
    writerPoolMax: perPool,
    readerPoolMax: perPool,
    connectionsAtPeak: peakPods * perPool * POOLS_PER_POD,
  };
}
