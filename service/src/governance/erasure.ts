/**
 * Erasure of a data subject (`DELETE /v1/subjects/:subjectId`, admin): every document of the
 * tenant whose `subjectId` is the subject, and every cached search response that could hold one
 * of them.
 *
 * 1. The documents are deleted in one transaction.
 * 2. The tenant's cached search responses and stale copies are deleted from Redis (SCAN by the
 *    tenant's key prefixes, UNLINK): gone, not merely unreachable until their TTL.
 * 3. The tenant's cache generation, stale-copy epoch and read-your-writes marker are replaced
 *    (`SearchCache.invalidate` without `keepStaleCopies`): nothing cached before is served, and
 *    the tenant's reads go to the writer, so no lagging reader answers with an erased document.
 * 4. A search that read the documents just before step 1 may still store its answer after step
 *    2: the sweep runs again once every such request has ended (`server.requestTimeoutMs`), and
 *    is retried in the background while Redis fails (cached entries expire by themselves after
 *    `cache.staleTtlSeconds` at the latest). A crash loses that retry, not the erasure.
 *
 * The audit record names the subject by a keyed digest only (audit-record.ts): erasing the
 * subject's data changes no audit record, so the chain still verifies.
 */
import { Cluster } from "ioredis";
import type { Dependency } from "../adapters/dependency";
import { deleteSubjectDocuments } from "../adapters/postgres/documents-repository";
import type { RedisClient } from "../adapters/redis/client";
import type { RedisKeys } from "../adapters/redis/keys";
import type { SearchCache } from "../adapters/redis/search-cache";
import type { ServiceSettings } from "../config/settings";
import type { Principal } from "../domain/principal";
import type { Pools } from "../domain/read-routing";
import { AppError } from "../http/errors";
import type { AuditKeys } from "./audit-record";

export interface ErasureResult {
  /** The subject, as the audit trail names it (a keyed digest). */
  readonly subject: string;
  readonly documentsDeleted: number;
  /** Cached responses deleted now; null when Redis could not be reached (retried later). */
  readonly cacheEntriesDeleted: number | null;
}

export interface ErasureDeps {
  readonly pools: Pools;
  readonly cache: SearchCache;
  readonly redis: RedisClient;
  readonly redisDependency: Dependency;
  readonly keys: RedisKeys;
  readonly auditKeys: AuditKeys;
  readonly settings: ServiceSettings;
  readonly onSweepFailure: (tenantId: string, err: unknown) => void;
}

export class ErasureService {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly deps: ErasureDeps) {}

  /** The subject's digest, for the audit record of a request about it. */
  subjectDigest(principal: Principal, subjectId: string): string {
    return this.deps.auditKeys.subjectDigest(principal.tenantId, subjectId);
  }

  async erase(principal: Principal, subjectId: string): Promise<ErasureResult> {
    const { settings, pools, cache } = this.deps;
    if (!settings.governance.erasure.enabled) {
      throw AppError.forbidden(
        `Erasure is disabled under the "${settings.governance.compliancePreset}" compliance preset (governance.erasure.enabled is false).`,
      );
    }
    const tenantId = principal.tenantId;
    // Deleting by subject again deletes nothing more: safe to retry.
    const documentsDeleted = await pools.writer.withTenant(
      tenantId,
      (tx) => deleteSubjectDocuments(tx, subjectId),
      { idempotent: true },
    );
    let cacheEntriesDeleted: number | null;
    try {
      cacheEntriesDeleted = await this.sweep(tenantId);
    } catch (err) {
      cacheEntriesDeleted = null;
      this.deps.onSweepFailure(tenantId, err);
    }
    await cache.invalidate(tenantId);
    this.sweepLater(tenantId, settings.server.requestTimeoutMs, Date.now());
    return {
      subject: this.subjectDigest(principal, subjectId),
      documentsDeleted,
      cacheEntriesDeleted,
    };
  }

  /** Stops the background sweeps (shutdown). */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private sweepLater(tenantId: string, delayMs: number, erasedAt: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.sweep(tenantId).catch((err: unknown) => {
        this.deps.onSweepFailure(tenantId, err);
        // Past the stale TTL every entry from before the erasure has expired by itself.
        const giveUpAt = erasedAt + this.deps.settings.cache.staleTtlSeconds * 1_000;
        if (Date.now() + 5_000 < giveUpAt) this.sweepLater(tenantId, 5_000, erasedAt);
      });
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Deletes the tenant's cached responses and stale copies; returns how many. */
  private async sweep(tenantId: string): Promise<number> {
    const { keys, redis } = this.deps;
    const patterns = [`${keys.searchPrefix(tenantId)}*`, `${keys.stalePrefix(tenantId)}*`];
    const nodes = redis instanceof Cluster ? redis.nodes("master") : [redis];
    let deleted = 0;
    for (const node of nodes) {
      for (const pattern of patterns) {
        let cursor = "0";
        do {
          const [next, found] = await this.deps.redisDependency.execute(
            () => node.scan(cursor, "MATCH", pattern, "COUNT", 1_000),
            { idempotent: true },
          );
          cursor = next;
          if (found.length > 0) {
            deleted += await this.deps.redisDependency.execute(() => node.unlink(...found), {
              idempotent: true,
            });
          }
        } while (cursor !== "0");
      }
    }
    return deleted;
  }
}
