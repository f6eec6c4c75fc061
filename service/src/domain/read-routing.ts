/**
 * Read-your-writes: which pool serves a tenant's read.
 *
 * Every committed write sets a per-tenant marker in Redis for `postgres.readYourWritesMs`; while
 * it is there, the tenant's reads go to the writer. Aurora replicas share storage and have no
 * WAL position a client could wait for, so an LSN check is not available there; the marker works
 * the same on Aurora and on streaming replicas. It is per tenant rather than per client on
 * purpose: a result read from a lagging reader would otherwise be cached under the tenant's new
 * cache generation and served to everyone. When Redis cannot answer, reads go to the writer.
 */
import type { Database } from "../adapters/postgres/database";
import type { TenantCacheState } from "../adapters/redis/search-cache";

export interface Pools {
  readonly writer: Database;
  readonly reader: Database;
}

export function poolForRead(pools: Pools, state: TenantCacheState): Database {
  return state.recentWrite ? pools.writer : pools.reader;
}
