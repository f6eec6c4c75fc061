/**
 * Cached search responses, per tenant, and the tenant's read-your-writes marker.
 *
 * A cached response lives under the tenant's current *generation*. A write commits, then sets a
 * new generation (and the read-your-writes marker) before its response is sent: every response
 * cached before it becomes unreachable at once, with no scan or delete. Generations are random,
 * never counters: if Redis evicts a generation key, the next one is new, so an old entry can
 * never become reachable again.
 *
 * When Redis fails, callers read from PostgreSQL (and from the writer, since the marker cannot be
 * read). An invalidation that fails is kept and retried every second; until it succeeds this
 * replica does not use the cache for that tenant. The bound on stale reads elsewhere is the
 * search TTL, and only if Redis came back before the retry did.
 */
import { randomBytes } from "node:crypto";
import type { ServiceSettings } from "../../config/settings";
import type { Dependency } from "../dependency";
import type { RedisClient } from "./client";
import type { RedisKeys } from "./keys";

export interface TenantCacheState {
  /** The generation to read and write cached searches under; null: do not use the cache. */
  readonly generation: string | null;
  /** The tenant wrote within `readYourWritesMs` (or Redis cannot tell): read from the writer. */
  readonly recentWrite: boolean;
}

export interface SearchCacheEvents {
  onError(err: unknown, operation: string): void;
  onInvalidationFailure(tenantId: string): void;
}

const newGeneration = () => randomBytes(6).toString("base64url");

export class SearchCache {
  private readonly pending = new Set<string>();
  private readonly retryTimer: NodeJS.Timeout;

  constructor(
    private readonly client: RedisClient,
    private readonly dependency: Dependency,
    private readonly keys: RedisKeys,
    private readonly settings: ServiceSettings,
    private readonly events: SearchCacheEvents,
  ) {
    this.retryTimer = setInterval(() => void this.retryPending(), 1_000);
    this.retryTimer.unref();
  }

  /** One round trip: the tenant's generation and read-your-writes marker. */
  async state(tenantId: string): Promise<TenantCacheState> {
    if (this.pending.has(tenantId)) return { generation: null, recentWrite: true };
    try {
      const genKey = this.keys.generation(tenantId);
      const [generation, marker] = await this.dependency.execute(() =>
        this.client.mget(genKey, this.keys.recentWrite(tenantId)),
      );
      if (!this.settings.cache.enabled) return { generation: null, recentWrite: marker !== null };
      return {
        generation: generation ?? (await this.startGeneration(genKey)),
        recentWrite: marker !== null,
      };
    } catch (err) {
      this.events.onError(err, "state");
      return { generation: null, recentWrite: true };
    }
  }

  /** The cached response body, exactly as it was serialized; null on a miss or an error. */
  async get(tenantId: string, generation: string, fingerprint: string): Promise<string | null> {
    try {
      return await this.dependency.execute(() =>
        this.client.get(this.keys.search(tenantId, generation, fingerprint)),
      );
    } catch (err) {
      this.events.onError(err, "get");
      return null;
    }
  }

  /** Stores a response body; does not wait (commands on one connection stay in order). */
  put(tenantId: string, generation: string, fingerprint: string, body: string): void {
    this.dependency
      .execute(() =>
        this.client.set(
          this.keys.search(tenantId, generation, fingerprint),
          body,
          "EX",
          this.settings.cache.searchTtlSeconds,
        ),
      )
      .catch((err: unknown) => this.events.onError(err, "put"));
  }

  /**
   * After a committed write: new generation, read-your-writes marker. Never throws; a failure is
   * retried in the background (see the module comment).
   */
  async invalidate(tenantId: string): Promise<void> {
    try {
      await this.bump(tenantId);
      this.pending.delete(tenantId);
    } catch (err) {
      this.pending.add(tenantId);
      this.events.onError(err, "invalidate");
      this.events.onInvalidationFailure(tenantId);
    }
  }

  /** Tenants whose invalidation has not reached Redis yet. */
  pendingInvalidations(): number {
    return this.pending.size;
  }

  close(): void {
    clearInterval(this.retryTimer);
  }

  private async bump(tenantId: string): Promise<void> {
    const generation = newGeneration();
    await this.dependency.execute(async () => {
      const results = await this.client
        .multi()
        .set(this.keys.generation(tenantId), generation)
        .set(this.keys.recentWrite(tenantId), "1", "PX", this.settings.postgres.readYourWritesMs)
        .exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error("MULTI was discarded");
    });
  }

  /** Concurrent first readers agree on one generation: SET NX, then read what won. */
  private async startGeneration(key: string): Promise<string> {
    const candidate = newGeneration();
    const previous = await this.dependency.execute(() =>
      this.client.set(key, candidate, "NX", "GET"),
    );
    return previous ?? candidate;
  }

  private async retryPending(): Promise<void> {
    for (const tenantId of [...this.pending]) {
      try {
        await this.bump(tenantId);
        this.pending.delete(tenantId);
      } catch {
        return; // still down; next tick
      }
    }
  }
}
