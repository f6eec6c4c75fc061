/**
 * Every Redis key and channel the service uses, under `settings.redis.keyPrefix` (ElastiCache's
 * RBAC user is limited to that prefix). A tenant's keys carry the hash tag `{t:<tenantId>}`, so
 * in cluster mode they share a slot and can be read together (MGET).
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  /** The tenant's current cache generation: part of every cached search key. */
  generation(tenantId: string): string {
    return `${this.prefix}{t:${tenantId}}:gen`;
  }

  /** Present for `readYourWritesMs` after the tenant's last write. */
  recentWrite(tenantId: string): string {
    return `${this.prefix}{t:${tenantId}}:rw`;
  }

  search(tenantId: string, generation: string, fingerprint: string): string {
    return `${this.searchPrefix(tenantId)}${generation}:${fingerprint}`;
  }

  /** What every cached search key of the tenant starts with (the generation follows). */
  searchPrefix(tenantId: string): string {
    return `${this.prefix}{t:${tenantId}}:s:`;
  }

  /**
   * The tenant's stale-copy epoch: part of every stale copy's key. Replaced when the tenant
   * deletes or erases, so no stale copy from before can be served.
   */
  staleEpoch(tenantId: string): string {
    return `${this.prefix}{t:${tenantId}}:stale-epoch`;
  }

  /** What every stale copy of the tenant's searches starts with (the epoch follows). */
  stalePrefix(tenantId: string): string {
    return `${this.prefix}{t:${tenantId}}:last:`;
  }

  /** rate-limiter-flexible appends `:<key>`; the key is `tenantRateLimitKey`. */
  rateLimitPrefix(tier: string, operation: string): string {
    return `${this.prefix}rl:${tier}:${operation}`;
  }

  tenantRateLimitKey(tenantId: string): string {
    return `{t:${tenantId}}`;
  }

  ipRateLimitPrefix(): string {
    return `${this.prefix}rl:ip`;
  }

  /** Pub/sub channel carrying the hashes of revoked API keys. */
  revocationChannel(): string {
    return `${this.prefix}auth:revocations`;
  }
}
