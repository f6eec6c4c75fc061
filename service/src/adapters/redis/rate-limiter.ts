/**
 * Rate limits per tenant, operation and tier (settings.rateLimits), counted in Redis so every
 * replica shares one budget (rate-limiter-flexible's atomic increment-with-expiry script), and
 * per client IP for requests that carry no known API key.
 *
 * When Redis fails, the same limits are kept per replica in memory (the "insurance" limiter).
 * The fallback is done here rather than with the library's `insuranceLimiter` option so that the
 * Redis call goes through the `Dependency` seam: when the Redis breaker is open, the call fails
 * fast and lands on the in-memory limiter without paying a timeout.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { ServiceSettings } from "../../config/settings";
import type { RateLimitedOperation, SlaTierName } from "../../config/tiers";
import type { Dependency } from "../dependency";
import type { RedisClient } from "./client";
import type { RedisKeys } from "./keys";

export interface RateLimitDecision {
  readonly allowed: boolean;
  /** Requests per window. */
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
}

interface LimiterPair {
  readonly points: number;
  readonly redis: RateLimiterRedis;
  readonly memory: RateLimiterMemory;
}

export class RateLimiter {
  private readonly tenantLimiters = new Map<string, LimiterPair>();
  private readonly ipLimiter: LimiterPair;

  constructor(
    client: RedisClient,
    private readonly dependency: Dependency,
    private readonly keys: RedisKeys,
    settings: ServiceSettings,
    private readonly onError: (err: unknown) => void,
  ) {
    const duration = settings.rateLimits.windowSeconds;
    const pair = (keyPrefix: string, points: number): LimiterPair => ({
      points,
      redis: new RateLimiterRedis({
        storeClient: client,
        keyPrefix,
        points,
        duration,
        rejectIfRedisNotReady: true,
        // Once over the limit, answer from memory until the window ends: an abusive client
        // costs no Redis calls.
        inMemoryBlockOnConsumed: points + 1,
      }),
      memory: new RateLimiterMemory({ keyPrefix, points, duration }),
    });
    for (const [tier, limits] of Object.entries(settings.rateLimits.tiers)) {
      for (const [operation, points] of Object.entries(limits)) {
        this.tenantLimiters.set(
          `${tier}:${operation}`,
          pair(keys.rateLimitPrefix(tier, operation), points),
        );
      }
    }
    this.ipLimiter = pair(keys.ipRateLimitPrefix(), settings.rateLimits.perIpPerMinute);
  }

  consume(
    tenantId: string,
    tier: SlaTierName,
    operation: RateLimitedOperation,
  ): Promise<RateLimitDecision> {
    const limiter = this.tenantLimiters.get(`${tier}:${operation}`);
    if (!limiter) throw new Error(`no rate limit for tier ${tier}, operation ${operation}`);
    return this.take(limiter, this.keys.tenantRateLimitKey(tenantId));
  }

  /** For requests whose API key is not known yet: checked before the key is looked up. */
  consumeIp(ip: string): Promise<RateLimitDecision> {
    return this.take(this.ipLimiter, ip);
  }

  private async take(limiter: LimiterPair, key: string): Promise<RateLimitDecision> {
    let res: RateLimiterRes;
    try {
      // An increment: a retry after a lost answer would charge the request twice.
      res = await this.dependency.execute(() => limiter.redis.consume(key), { idempotent: false });
    } catch (err) {
      if (err instanceof RateLimiterRes) return decision(limiter.points, err, false);
      this.onError(err);
      try {
        res = await limiter.memory.consume(key);
      } catch (memoryErr) {
        if (memoryErr instanceof RateLimiterRes) return decision(limiter.points, memoryErr, false);
        throw memoryErr;
      }
    }
    return decision(limiter.points, res, true);
  }
}

function decision(limit: number, res: RateLimiterRes, allowed: boolean): RateLimitDecision {
  return {
    allowed,
    limit,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  };
}
