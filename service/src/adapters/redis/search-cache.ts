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

export interface CacheLookup extends TenantCacheState {
  /** The cached response body, byte for byte as it was stored; null on a miss. */
  readonly hit: Buffer | null;
}

export interface SearchCacheEvents {
  onError(err: unknown, operation: string): void;
  onInvalidationFailure(tenantId: string): void;
}

// Generations only need to be unique, never guessable: a random prefix per process and a
// counter (no random bytes per request).
const processTag = randomBytes(6).toString("base64url");
let generations = 0;
const newGeneration = () => `${processTag}.${(generations++).toString(36)}`;

/**
 * One round trip for a lookup: the generation (started when missing), the read-your-writes
 * marker and the entry under that generation. The entry's key is built inside the script; it
 * carries the tenant's hash tag, so in cluster mode it lives in the same slot as KEYS[1].
 */
const LOOKUP_SCRIPT = `
local generation = redis.call('GET', KEYS[1])
if not generation then
  generation = ARGV[3]
  redis.call('SET', KEYS[1], generation)
end
local recent = redis.call('EXISTS', KEYS[2])
local hit = false
if ARGV[2] ~= '' then
  hit = redis.call('GET', ARGV[1] .. generation .. ':' .. ARGV[2])
end
return {generation, recent, hit}
`;

interface LookupCommand {
  searchCacheLookupBuffer(
    generationKey: string,
    markerKey: string,
    entryPrefix: string,
    fingerprint: string,
    candidate: string,
  ): Promise<[Buffer, number, Buffer | null]>;
}

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
    client.defineCommand("searchCacheLookup", { numberOfKeys: 2, lua: LOOKUP_SCRIPT });
  }

  /**
   * The tenant's cache state and, when `fingerprint` is given and the cache is enabled, the
   * cached response. Never throws: when Redis fails, no cache and reads go to the writer.
   */
  async lookup(tenantId: string, fingerprint: string | null): Promise<CacheLookup> {
    if (this.pending.has(tenantId)) return { generation: null, recentWrite: true, hit: null };
    const enabled = this.settings.cache.enabled;
    try {
      const [generation, recent, hit] = await this.dependency.execute(() =>
        (this.client as unknown as LookupCommand).searchCacheLookupBuffer(
          this.keys.generation(tenantId),
          this.keys.recentWrite(tenantId),
          this.keys.searchPrefix(tenantId),
          enabled && fingerprint ? fingerprint : "",
          newGeneration(),
        ),
      );
      return {
        generation: enabled ? generation.toString() : null,
        recentWrite: recent === 1,
        hit: enabled ? hit : null,
      };
    } catch (err) {
      this.events.onError(err, "lookup");
      return { generation: null, recentWrite: true, hit: null };
    }
  }

  /** The tenant's cache state only (reads other than search). */
  state(tenantId: string): Promise<TenantCacheState> {
    return this.lookup(tenantId, null);
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
