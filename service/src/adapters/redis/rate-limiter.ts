/**
 * Rate limits per tenant, operation and tier (settings.rateLimits), counted in Redis so every
 * replica shares one budget (rate-limiter-flexible's atomic increment-with-expiry script), and
 * per client IP for requests that carry no known API key.
 *
 * When Redis fails, the same limits are kept per replica in memory (the "insurance" limiter).
 * The fallback is done here rather than with the library's `insuranceLimiter` option so that the
 * Redis call goes through the `Dependency` seam: when the Redis breaker is open, the call fails
 * fast and lands on the in-memory limiter without paying a timeout.
 *
 * Carried charges (search): a caller that makes a Redis call of its own for the same request
 * (the search cache lookup) can carry the charge inside its script instead of the limiter
 * making a second call — one command and one script run instead of two, about a fifth of a
 * cached search's CPU here. The counter, its key, the increment and the expiry are the library's
 * (`INCR_TTL_LUA` below is its script, verbatim in substance), so carried charges and `consume`
 * count against one budget on every replica, and the decision is the library's for these options.
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

/**
 * rate-limiter-flexible's increment for RateLimiterRedis (11.x), for a caller's script to run on
 * KEYS[n] with the window in seconds as an argument: start the window's counter at 0 with its
 * expiry when missing, add one, and read its time to live (restoring the expiry if it was lost).
 * `consumed` and `ttl` are what the library's own script returns.
 */
export const INCR_TTL_LUA = (key: string, windowSeconds: string) => `
redis.call('SET', ${key}, 0, 'EX', ${windowSeconds}, 'NX')
local consumed = redis.call('INCRBY', ${key}, 1)
local ttl = redis.call('PTTL', ${key})
if ttl == -1 then
  redis.call('EXPIRE', ${key}, ${windowSeconds})
  ttl = 1000 * ${windowSeconds}
end
`;

/** A charge of one request that a caller carries to Redis in its own script (`INCR_TTL_LUA`). */
export interface RateCharge {
  /** The counter's key: the library's, so `consume` and carried charges share it. */
  readonly key: string;
  readonly windowSeconds: number;
}

/**
 * What became of a carried charge: Redis' counter after the increment and its time to live;
 * `{ error }` when the call that carried it failed (then the in-memory limiter decides, as for a
 * failed `consume`); undefined when it was not sent after all (then it is charged on its own).
 */
export type ChargeReply =
  { readonly consumed: number; readonly ttlMs: number } | { readonly error: unknown } | undefined;

export interface RateLimiterOptions {
  /**
   * The callers that can carry charges send their scripts on this limiter's connection (the
   * cache database is the rate limits' one). @default false
   */
  readonly carriedCharges?: boolean;
}

export class RateLimiter {
  private readonly tenantLimiters = new Map<string, LimiterPair>();
  private readonly ipLimiter: LimiterPair;
  /** Carried charges' counters over their limit, until their window ends (epoch ms). */
  private readonly blockedUntil = new Map<string, number>();
  private readonly carriedCharges: boolean;

  constructor(
    client: RedisClient,
    private readonly dependency: Dependency,
    private readonly keys: RedisKeys,
    settings: ServiceSettings,
    private readonly onError: (err: unknown) => void,
    options: RateLimiterOptions = {},
  ) {
    this.carriedCharges = options.carriedCharges ?? false;
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
    return this.take(this.limiterFor(tier, operation), this.keys.tenantRateLimitKey(tenantId));
  }

  /**
   * A charge of one `operation` request to the tenant for the caller to carry to Redis, or the
   * decision already taken: the counter is over its limit until its window ends (known in
   * memory: no Redis call, as the library's `inMemoryBlockOnConsumed` does), or the charge
   * cannot be carried (another connection), in which case it is made now with `consume`.
   */
  charge(
    tenantId: string,
    tier: SlaTierName,
    operation: RateLimitedOperation,
  ): RateCharge | Promise<RateLimitDecision> {
    const limiter = this.limiterFor(tier, operation);
    const tenantKey = this.keys.tenantRateLimitKey(tenantId);
    if (!this.carriedCharges) return this.take(limiter, tenantKey);
    const key = limiter.redis.getKey(tenantKey);
    // (A key the library blocked in `consume` is not seen here: Redis then answers "over" for
    // it, and the decision is the same, with one more increment.)
    const blockedMs = this.blockedMsLeft(key);
    if (blockedMs > 0) {
      return Promise.resolve({
        allowed: false,
        limit: limiter.points,
        remaining: 0,
        resetSeconds: Math.max(1, Math.ceil(blockedMs / 1000)),
      });
    }
    return { key, windowSeconds: limiter.redis.duration };
  }

  /** The decision on a charge from `charge`, given what became of it (see `ChargeReply`). */
  async settle(
    tenantId: string,
    tier: SlaTierName,
    operation: RateLimitedOperation,
    charge: RateCharge,
    reply: ChargeReply,
  ): Promise<RateLimitDecision> {
    const limiter = this.limiterFor(tier, operation);
    const tenantKey = this.keys.tenantRateLimitKey(tenantId);
    if (reply === undefined) return this.take(limiter, tenantKey);
    if ("error" in reply) {
      this.onError(reply.error);
      return this.takeFromMemory(limiter, tenantKey);
    }
    // The library's decision for these options (RateLimiterStoreAbstract._afterConsume with
    // inMemoryBlockOnConsumed = points + 1, no block duration, not evenly spread).
    const { consumed, ttlMs } = reply;
    const allowed = consumed <= limiter.points;
    if (!allowed) this.blockedUntil.set(charge.key, Date.now() + ttlMs);
    return {
      allowed,
      limit: limiter.points,
      remaining: Math.max(0, limiter.points - consumed),
      resetSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
    };
  }

  private limiterFor(tier: SlaTierName, operation: RateLimitedOperation): LimiterPair {
    const limiter = this.tenantLimiters.get(`${tier}:${operation}`);
    if (!limiter) throw new Error(`no rate limit for tier ${tier}, operation ${operation}`);
    return limiter;
  }

  private blockedMsLeft(key: string): number {
    const until = this.blockedUntil.get(key);
    if (until === undefined) return 0;
    const left = until - Date.now();
    if (left <= 0) this.blockedUntil.delete(key);
    return left;
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
      return this.takeFromMemory(limiter, key);
    }
    return decision(limiter.points, res, true);
  }

  /** This replica's in-memory limiter, with the same limits: when Redis could not count. */
  private async takeFromMemory(limiter: LimiterPair, key: string): Promise<RateLimitDecision> {
    try {
      return decision(limiter.points, await limiter.memory.consume(key), true);
    } catch (err) {
      if (err instanceof RateLimiterRes) return decision(limiter.points, err, false);
      throw err;
    }
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
