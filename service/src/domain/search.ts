/**
 * Search: cache first, then PostgreSQL (reader, or writer right after the tenant wrote).
 *
 * The response body is serialized once, cached as that string and sent as is on a hit (no parse
 * and re-stringify). A cache entry's key holds the tenant's generation, the caller's role (part 2
 * masks by role), the normalized query, its filters, the page size and the cursor.
 */
import { createHash } from "node:crypto";
import {
  searchDocuments,
  SNIPPET_START,
  SNIPPET_STOP,
  type SearchRow,
} from "../adapters/postgres/documents-repository";
import type { SearchCache } from "../adapters/redis/search-cache";
import type { CursorCodec, CursorPosition } from "./cursor";
import type { Principal } from "./principal";
import { poolForRead, type Pools } from "./read-routing";
import type { SearchHit, SearchRequest, SearchResponse } from "./schemas";

export type CacheOutcome = "hit" | "miss";

export interface SearchResult {
  /** The serialized `SearchResponse`. */
  readonly body: string;
  readonly cache: CacheOutcome;
}

export interface SearchObserver {
  cacheRequest(result: CacheOutcome): void;
}

export class SearchService {
  constructor(
    private readonly pools: Pools,
    private readonly cache: SearchCache,
    private readonly cursors: CursorCodec,
    private readonly observer: SearchObserver,
  ) {}

  async search(principal: Principal, request: SearchRequest): Promise<SearchResult> {
    const queryFingerprint = fingerprintQuery(principal.tenantId, request);
    const after = request.cursor
      ? this.cursors.decode(request.cursor, queryFingerprint)
      : undefined;
    const cacheKey = hash(
      `${principal.role}\n${queryFingerprint}\n${request.limit}\n${request.cursor ?? ""}`,
    );

    const state = await this.cache.state(principal.tenantId);
    if (state.generation) {
      const cached = await this.cache.get(principal.tenantId, state.generation, cacheKey);
      if (cached !== null) {
        this.observer.cacheRequest("hit");
        return { body: cached, cache: "hit" };
      }
    }
    this.observer.cacheRequest("miss");

    const db = poolForRead(this.pools, state);
    const rows = await searchDocuments(db.forTenant(principal.tenantId), {
      query: request.q,
      mode: request.mode,
      limit: request.limit + 1,
      after,
      fields: request.filters,
      classification: request.classification,
    });
    const body = JSON.stringify(this.toResponse(rows, request.limit, after, queryFingerprint));
    if (state.generation) this.cache.put(principal.tenantId, state.generation, cacheKey, body);
    return { body, cache: "miss" };
  }

  private toResponse(
    rows: readonly SearchRow[],
    limit: number,
    after: CursorPosition | undefined,
    queryFingerprint: string,
  ): SearchResponse {
    const page = rows.slice(0, limit);
    const total = after ? after.total : rows.length > 0 ? Number(rows[0].total) : 0;
    const last = page[page.length - 1];
    return {
      results: page.map(toHit),
      total,
      nextCursor:
        rows.length > limit && last
          ? this.cursors.encode(queryFingerprint, { rank: last.rank, id: last.id, total })
          : null,
    };
  }
}

function toHit(row: SearchRow): SearchHit {
  return {
    id: row.id,
    externalId: row.external_id,
    title: row.title,
    snippet: highlight(row.snippet),
    rank: row.rank,
    classification: row.classification,
    fields: row.fields,
    updatedAt: row.updated_at.toISOString(),
  };
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes the excerpt for HTML, then turns the database's match markers into `<mark>`. */
export function highlight(snippet: string): string {
  return snippet
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])
    .replaceAll(SNIPPET_START, "<mark>")
    .replaceAll(SNIPPET_STOP, "</mark>");
}

/**
 * What a cursor is bound to: the tenant and the query with its filters (not the page size,
 * which may change between pages). Whitespace is normalized; case is not, since `OR` is an
 * operator and `or` a word.
 */
export function fingerprintQuery(tenantId: string, r: SearchRequest): string {
  const filters = Object.keys(r.filters)
    .sort()
    .map((k) => [k, r.filters[k]]);
  return hash(
    JSON.stringify([tenantId, r.q.replace(/\s+/g, " "), r.mode, r.classification ?? null, filters]),
  ).slice(0, 22);
}

function hash(s: string): string {
  return createHash("sha256").update(s).digest("base64url");
}
