/**
 * The SLA tier table: one row per tier, the only place its figures are typed.
 *
 * The platform reads it to size alarms (the p95 target is the latency alarm's threshold) and to
 * derive the deployed rate limits; the service reads it for its local defaults. Figures start
 * from ../shared/REFERENCE.md ("SLA tiers").
 */

/** The tiers a tenant can be on. */
export const SLA_TIER_NAMES = ["free", "standard", "enterprise"] as const;
export type SlaTierName = (typeof SLA_TIER_NAMES)[number];

/** The operations a rate limit applies to. `write` is a single-document create or replace. */
export const RATE_LIMITED_OPERATIONS = ["search", "write", "bulk", "read", "delete"] as const;
export type RateLimitedOperation = (typeof RATE_LIMITED_OPERATIONS)[number];

export interface SlaTier {
  /** Monthly availability objective, as a fraction (0.999 = "three nines"). */
  readonly availability: number;
  /** The p95 latency objective for a search, in milliseconds. */
  readonly p95LatencyMs: number;
  /** Requests allowed per rate-limit window (one minute), per tenant and operation. */
  readonly requestsPerMinute: Readonly<Record<RateLimitedOperation, number>>;
}

export const SLA_TIERS: Readonly<Record<SlaTierName, SlaTier>> = Object.freeze({
  free: {
    availability: 0.99,
    p95LatencyMs: 1000,
    requestsPerMinute: { search: 10, write: 5, bulk: 1, read: 20, delete: 5 },
  },
  standard: {
    availability: 0.999,
    p95LatencyMs: 500,
    requestsPerMinute: { search: 100, write: 50, bulk: 10, read: 200, delete: 30 },
  },
  enterprise: {
    availability: 0.9995,
    p95LatencyMs: 200,
    requestsPerMinute: { search: 1000, write: 500, bulk: 100, read: 2000, delete: 300 },
  },
});

/** Requests per minute per client IP when no tenant is known yet (before authentication). */
export const PER_IP_FALLBACK = Object.freeze({ requestsPerMinute: 20, burst: 10 });
