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
 *
 * Stale copies, for when PostgreSQL cannot answer. A generation's entries become unreachable at
 * the tenant's next write, so every stored response is also kept as the tenant's *last good*
 * copy for that fingerprint, without the generation, for `cache.staleTtlSeconds`; search serves
 * it, marked stale, only when PostgreSQL fails. The copy's key is built from the authenticated
 * principal, never from client input alone: the tenant's hash tag and the fingerprint, which
 * hashes the caller's role (responses are masked per role), the page size, the cursor and the
 * normalized query (which itself starts with the tenant id). Another tenant or another role
 * computes another key. Copies also carry the tenant's *stale epoch*, which a delete (and an
 * erasure) replaces, so a deleted document never comes back from a stale copy; an upsert keeps
 * the epoch (the previous answer is still a fair stale answer).
 */
import { randomBytes } from "node:crypto";
import type { ServiceSettings } from "../../config/settings";
import type { Dependency } from "../dependency";
import type { RedisClient } from "./client";
import type { RedisKeys } from "./keys";
import { INCR_TTL_LUA, type ChargeReply, type RateCharge } from "./rate-limiter";

export interface TenantCacheState {
  /** The generation to read and write cached searches under; null: do not use the cache. */
  readonly generation: string | null;
  /** The tenant wrote within `readYourWritesMs` (or Redis cannot tell): read from the writer. */
  readonly recentWrite: boolean;
}

export interface CacheLookup extends TenantCacheState {
  /** The cached response body, byte for byte as it was stored; null on a miss. */
  readonly hit: Buffer | null;
  /** Redis failed (or its breaker is open), or an invalidation is pending: no cache was used. */
  readonly bypassed: boolean;
  /** What became of the rate-limit charge the lookup was given to carry, if any. */
  readonly charged?: ChargeReply;
}

export interface StaleCopy {
  /** The response body as it was stored. */
  readonly body: Buffer;
  /** When it was stored. */
  readonly storedAt: Date;
}

export interface InvalidateOptions {
  /**
   * Keep the tenant's stale copies: for writes after which the previous answers are still fair
   * stale answers (an upsert). Deletes and erasures drop them. @default false
   */
  readonly keepStaleCopies?: boolean;
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

const BYPASSED: CacheLookup = { generation: null, recentWrite: true, hit: null, bypassed: true };
const NO_CACHE: CacheLookup = { ...BYPASSED, bypassed: false };

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

/**
 * The lookup with a rate-limit charge carried along (rate-limiter.ts): the charge first, on
 * KEYS[3] (the tenant's counter: same hash tag, same cluster slot), then the lookup; the counter
 * and its time to live follow the lookup's three values.
 */
const LOOKUP_CHARGED_SCRIPT = `${INCR_TTL_LUA("KEYS[3]", "ARGV[4]")}
${LOOKUP_SCRIPT.replace("return {generation, recent, hit}", "return {generation, recent, hit, consumed, ttl}")}`;

/**
 * Stores a response under its generation for the search TTL and as the tenant's stale copy
 * under the current stale epoch (started when missing) for the stale TTL, in one round trip.
 */
const PUT_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[6]
  redis.call('SET', KEYS[2], epoch)
end
redis.call('SET', ARGV[3] .. epoch .. ':' .. ARGV[4], ARGV[1], 'EX', ARGV[5])
return 1
`;

/** The stale copy under the current epoch, and its remaining time to live (ms). */
const STALE_SCRIPT = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then return false end
local key = ARGV[1] .. epoch .. ':' .. ARGV[2]
local body = redis.call('GET', key)
if not body then return false end
return {body, redis.call('PTTL', key)}
`;

interface CacheCommands {
  searchCacheLookupBuffer(
    generationKey: string,
    markerKey: string,
    entryPrefix: string,
    fingerprint: string,
    candidate: string,
  ): Promise<[Buffer, number, Buffer | null]>;
  searchCacheLookupChargedBuffer(
    generationKey: string,
    markerKey: string,
    chargeKey: string,
    entryPrefix: string,
    fingerprint: string,
    candidate: string,
    windowSeconds: number,
  ): Promise<[Buffer, number, Buffer | null, number, number]>;
  searchCachePut(
    entryKey: string,
    epochKey: string,
    body: string,
    ttlSeconds: number,
    stalePrefix: string,
    fingerprint: string,
    staleTtlSeconds: number,
    candidateEpoch: string,
  ): Promise<number>;
  searchCacheStaleBuffer(
    epochKey: string,
    stalePrefix: string,
    fingerprint: string,
  ): Promise<[Buffer, number] | null>;
}

export class SearchCache {
  /** Tenants whose invalidation has not reached Redis yet; true: their stale copies go too. */
  private readonly pending = new Map<string, boolean>();
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
    client.defineCommand("searchCacheLookupCharged", {
      numberOfKeys: 3,
      lua: LOOKUP_CHARGED_SCRIPT,
    });
    client.defineCommand("searchCachePut", { numberOfKeys: 2, lua: PUT_SCRIPT });
    client.defineCommand("searchCacheStale", { numberOfKeys: 1, lua: STALE_SCRIPT });
  }

  private get commands(): CacheCommands {
    return this.client as unknown as CacheCommands;
  }

  /**
   * The tenant's cache state and, when `fingerprint` is given and the cache is enabled, the
   * cached response. Never throws: when Redis fails, no cache and reads go to the writer.
   *
   * `charge`: a rate-limit charge to carry in the same script (one command instead of two);
   * `charged` says what became of it. Only the first attempt carries it: an increment whose
   * answer was lost must not be repeated, so when that attempt fails the charge counts as failed
   * (the limiter decides in memory, as for its own failed call) and a retry looks up only.
   */
  async lookup(
    tenantId: string,
    fingerprint: string | null,
    charge?: RateCharge,
  ): Promise<CacheLookup> {
    if (this.pending.has(tenantId)) return this.bypassed();
    const enabled = this.settings.cache.enabled;
    let carry = charge;
    let charged: ChargeReply;
    try {
      const [generation, recent, hit] = await this.dependency.execute(
        async () => {
          const generationKey = this.keys.generation(tenantId);
          const markerKey = this.keys.recentWrite(tenantId);
          const entryPrefix = this.keys.searchPrefix(tenantId);
          const entry = enabled && fingerprint ? fingerprint : "";
          if (!carry) {
            return this.commands.searchCacheLookupBuffer(
              generationKey,
              markerKey,
              entryPrefix,
              entry,
              newGeneration(),
            );
          }
          const sent = carry;
          carry = undefined; // never again, whatever happens to this attempt
          try {
            const reply = await this.commands.searchCacheLookupChargedBuffer(
              generationKey,
              markerKey,
              sent.key,
              entryPrefix,
              entry,
              newGeneration(),
              sent.windowSeconds,
            );
            charged = { consumed: reply[3], ttlMs: reply[4] };
            return reply;
          } catch (err) {
            charged = { error: err };
            throw err;
          }
        },
        // Sets the generation only when missing: running it twice changes nothing (and the
        // charge is carried by the first attempt only).
        { idempotent: true },
      );
      return {
        generation: enabled ? generation.toString() : null,
        recentWrite: recent === 1,
        hit: enabled ? hit : null,
        bypassed: false,
        charged,
      };
    } catch (err) {
      this.events.onError(err, "lookup");
      // Refused before any attempt (breaker open): the charge failed with the lookup.
      return { ...this.bypassed(), charged: charge ? (charged ?? { error: err }) : undefined };
    }
  }

  /** No cache state: reads go to the writer; `bypassed` unless the cache is off anyway. */
  private bypassed(): CacheLookup {
    return this.settings.cache.enabled ? BYPASSED : NO_CACHE;
  }

  /** The tenant's cache state only (reads other than search). */
  state(tenantId: string): Promise<TenantCacheState> {
    return this.lookup(tenantId, null);
  }

  /**
   * Stores a response body under its generation and as the tenant's stale copy; does not wait
   * (commands on one connection stay in order).
   */
  put(tenantId: string, generation: string, fingerprint: string, body: string): void {
    const { searchTtlSeconds, staleTtlSeconds } = this.settings.cache;
    this.dependency
      .execute(
        () =>
          this.commands.searchCachePut(
            this.keys.search(tenantId, generation, fingerprint),
            this.keys.staleEpoch(tenantId),
            body,
            searchTtlSeconds,
            this.keys.stalePrefix(tenantId),
            fingerprint,
            staleTtlSeconds,
            newGeneration(),
          ),
        { idempotent: true }, // SETs of the same values
      )
      .catch((err: unknown) => this.events.onError(err, "put"));
  }

  /**
   * The tenant's last good response for `fingerprint`, for when PostgreSQL cannot answer; null
   * when there is none, when the tenant's stale copies are being dropped, or when Redis fails.
   */
  async stale(tenantId: string, fingerprint: string): Promise<StaleCopy | null> {
    if (!this.settings.cache.enabled || this.pending.get(tenantId) === true) return null;
    try {
      const found = await this.dependency.execute(
        () =>
          this.commands.searchCacheStaleBuffer(
            this.keys.staleEpoch(tenantId),
            this.keys.stalePrefix(tenantId),
            fingerprint,
          ),
        { idempotent: true },
      );
      if (!found) return null;
      const [body, pttl] = found;
      const ageMs = Math.max(0, this.settings.cache.staleTtlSeconds * 1_000 - Number(pttl));
      return { body, storedAt: new Date(Date.now() - ageMs) };
    } catch (err) {
      this.events.onError(err, "stale");
      return null;
    }
  }

  /**
   * After a committed write: new generation, read-your-writes marker and, unless kept, a new
   * stale epoch. Never throws; a failure is retried in the background (see the module comment).
   */
  async invalidate(tenantId: string, options: InvalidateOptions = {}): Promise<void> {
    const dropStale = !options.keepStaleCopies || this.pending.get(tenantId) === true;
    try {
      await this.bump(tenantId, dropStale);
      this.pending.delete(tenantId);
    } catch (err) {
      this.pending.set(tenantId, dropStale);
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

  private async bump(tenantId: string, dropStale: boolean): Promise<void> {
    const generation = newGeneration();
    const staleEpoch = dropStale ? newGeneration() : undefined;
    await this.dependency.execute(
      async () => {
        const multi = this.client
          .multi()
          .set(this.keys.generation(tenantId), generation)
          .set(this.keys.recentWrite(tenantId), "1", "PX", this.settings.postgres.readYourWritesMs);
        if (staleEpoch) multi.set(this.keys.staleEpoch(tenantId), staleEpoch);
        const results = await multi.exec();
        const failed = results?.find(([err]) => err);
        if (!results || failed) throw failed?.[0] ?? new Error("MULTI was discarded");
      },
      // The same new values every attempt (made above, outside the call).
      { idempotent: true },
    );
  }

  private async retryPending(): Promise<void> {
    for (const [tenantId, dropStale] of [...this.pending]) {
      try {
        await this.bump(tenantId, dropStale);
        this.pending.delete(tenantId);
      } catch {
        return; // still down; next tick
      }
    }
  }
}
