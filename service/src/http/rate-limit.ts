/** Rate-limit middleware and the IETF draft `RateLimit-*` headers. */
import type { RequestHandler, Response } from "express";
import type { RateLimitDecision, RateLimiter } from "../adapters/redis/rate-limiter";
import type { RateLimitedOperation } from "../config/tiers";
import type { SearchAdmission } from "../domain/search";
import type { Metrics } from "../observability/metrics";
import { principalOf } from "./context";
import { AppError } from "./errors";

export function setRateLimitHeaders(res: Response, d: RateLimitDecision): void {
  res.setHeader("RateLimit-Limit", String(d.limit));
  res.setHeader("RateLimit-Remaining", String(d.remaining));
  res.setHeader("RateLimit-Reset", String(d.resetSeconds));
}

export function rateLimited(d: RateLimitDecision, what: string): AppError {
  return new AppError(
    429,
    "rate_limited",
    `Too many ${what} requests: the limit is ${d.limit} per window; retry in ${d.resetSeconds} s.`,
    { retryAfterSeconds: d.resetSeconds },
  );
}

/**
 * Charges one request of `operation` to the caller's tenant at its tier: resolves when allowed,
 * rejects with 429 when not. The RateLimit-* headers are set either way.
 */
export async function admit(
  limiter: RateLimiter,
  metrics: Metrics,
  res: Response,
  operation: RateLimitedOperation,
): Promise<void> {
  const p = principalOf(res);
  decide(metrics, res, operation, await limiter.consume(p.tenantId, p.tier, operation));
}

/**
 * `admit` for a search: the charge is carried by the cache lookup when it can be (see
 * `SearchAdmission`); the RateLimit-* headers and the 429 are `admit`'s.
 */
export function searchAdmission(
  limiter: RateLimiter,
  metrics: Metrics,
  res: Response,
): SearchAdmission {
  const p = principalOf(res);
  const charge = limiter.charge(p.tenantId, p.tier, "search");
  if (charge instanceof Promise) {
    // Decided without the lookup (over the limit in memory, or not carried): already under way.
    const admitted = charge.then((d) => decide(metrics, res, "search", d));
    admitted.catch(() => undefined); // observed by settle; an earlier error may answer first
    return { charge: undefined, settle: () => admitted };
  }
  return {
    charge,
    settle: async (reply) =>
      decide(
        metrics,
        res,
        "search",
        await limiter.settle(p.tenantId, p.tier, "search", charge, reply),
      ),
  };
}

function decide(
  metrics: Metrics,
  res: Response,
  operation: RateLimitedOperation,
  decision: RateLimitDecision,
): void {
  setRateLimitHeaders(res, decision);
  if (!decision.allowed) {
    metrics.rateLimitRejections.labels(operation, principalOf(res).tier).inc();
    throw rateLimited(decision, operation);
  }
}

/** `admit` as a middleware: the route runs only once the request is admitted. */
export function limit(
  limiter: RateLimiter,
  metrics: Metrics,
  operation: RateLimitedOperation,
): RequestHandler {
  return async (_req, res, next) => {
    await admit(limiter, metrics, res, operation);
    next();
  };
}
