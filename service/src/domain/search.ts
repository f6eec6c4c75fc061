/**
 * Search: cache first, then PostgreSQL (reader, or writer right after the tenant wrote), then,
 * when PostgreSQL cannot answer, the tenant's last good answer marked stale.
 *
 * The response body is serialized once, cached as that string and sent as is on a hit (no parse
 * and re-stringify). A cache entry's key holds the tenant's generation, the caller's role (results
 * are masked per role) with a fingerprint of the masking settings, the normalized query, its
 * filters and sort, the page size and the cursor.
 *
 * Governance: before anything is looked up, the role's view refuses (403) a query for a value it
 * sees masked, and a filter, sort or classification it may not see; documents of a
 * classification it may not see are neither matched nor counted; every hit is masked for it.
 */
import { hash as digest } from "node:crypto";
import {
  searchDocuments,
  SNIPPET_START,
  SNIPPET_STOP,
  type SearchRow,
} from "../adapters/postgres/documents-repository";
import type { ChargeReply, RateCharge } from "../adapters/redis/rate-limiter";
import type { SearchCache, StaleCopy } from "../adapters/redis/search-cache";
import type { ClassificationPolicy, RoleView } from "../governance/classification";
import { AccessSummary, maskContent } from "../governance/masking";
import { isUnavailable } from "../resilience/errors";
import type { FallbackKind } from "../resilience/fallbacks";
import type { CursorCodec, CursorPosition } from "./cursor";
import type { Principal } from "./principal";
import { poolForRead, type Pools } from "./read-routing";
import type { SearchHit, SearchRequest, SearchResponse } from "./schemas";

/** `stale`: PostgreSQL could not answer; the tenant's last good answer was sent, marked. */
export type CacheOutcome = "hit" | "miss" | "stale";

export interface SearchResult {
  /** The serialized `SearchResponse`: a string when just built, the stored bytes on a hit. */
  readonly body: string | Buffer;
  readonly cache: CacheOutcome;
}

/**
 * The caller's admission to one search (its rate limit). The charge travels inside the cache
 * lookup's script when it can — one Redis command for both — and PostgreSQL is asked only once
 * the request is admitted.
 */
export interface SearchAdmission {
  /** A charge for the lookup to carry; undefined when it is being decided on its own. */
  readonly charge: RateCharge | undefined;
  /**
   * Resolves once the request is admitted, rejects (429) otherwise. `reply`: what became of the
   * carried charge; undefined when it was not carried, and then it is made on its own.
   */
  settle(reply: ChargeReply): Promise<void>;
}

const ADMITTED: SearchAdmission = { charge: undefined, settle: () => Promise.resolve() };

export interface SearchObserver {
  cacheRequest(result: CacheOutcome): void;
  /** A degraded answer (X-Degraded, dependency_fallbacks_total). */
  fallback(kind: Extract<FallbackKind, "cache-bypassed" | "stale">): void;
}

/** A search's identity for cursors and the cache. */
interface SearchKeys {
  /** `normalize`d: what a cursor is bound to. */
  readonly query: string;
  readonly cacheKey: string;
}

/** Callers remembered per request value before their map is emptied (it is rebuilt on use). */
const MAX_CALLERS_PER_REQUEST = 256;

export class SearchService {
  /**
   * Keys already computed for a frozen request value (QueryParser hands every request with the
   * same URL the same frozen value), per tenant and role: a repeated search costs a lookup here
   * instead of a JSON normalization and a SHA-256. Weak: entries go with the values.
   */
  private readonly keys = new WeakMap<SearchRequest, Map<string, SearchKeys>>();

  constructor(
    private readonly pools: Pools,
    private readonly cache: SearchCache,
    private readonly cursors: CursorCodec,
    private readonly observer: SearchObserver,
    private readonly policy: ClassificationPolicy,
  ) {}

  /**
   * @param admission the caller's rate limit (see `SearchAdmission`): charged with the cache
   *   lookup, or on its own when the request fails before it (a refused query is charged too).
   */
  async search(
    principal: Principal,
    request: SearchRequest,
    admission: SearchAdmission = ADMITTED,
  ): Promise<SearchResult> {
    const view = this.policy.view(principal.role);
    let query: string;
    let after: CursorPosition | undefined;
    let cacheKey: string;
    try {
      view.checkQuery(request.q);
      for (const field of Object.keys(request.filters)) view.checkField(field, "filter on");
      if (request.sort) view.checkField(request.sort.field, "sort by");
      if (request.classification) view.checkClassification(request.classification);

      ({ query, cacheKey } = this.keysOf(principal, request));
      after = request.cursor ? this.cursors.decode(request.cursor, fingerprint(query)) : undefined;
    } catch (err) {
      admission.settle(undefined).catch(() => undefined); // this error is the answer
      throw err;
    }

    const lookup = await this.cache.lookup(principal.tenantId, cacheKey, admission.charge);
    await admission.settle(lookup.charged);
    if (lookup.hit) {
      this.observer.cacheRequest("hit");
      return { body: lookup.hit, cache: "hit" };
    }
    this.observer.cacheRequest("miss");
    if (lookup.bypassed) this.observer.fallback("cache-bypassed");

    const db = poolForRead(this.pools, lookup);
    let rows: SearchRow[];
    try {
      rows = await searchDocuments(db.forTenant(principal.tenantId), {
        query: request.q,
        mode: request.mode,
        limit: request.limit + 1,
        after,
        fields: request.filters,
        classification: request.classification,
        visible: view.visible,
        mask: [...view.maskedKinds],
        sort: request.sort,
      });
    } catch (err) {
      // PostgreSQL down, overloaded or too slow: the last good answer, if there is one.
      const stale = isUnavailable(err)
        ? await this.cache.stale(principal.tenantId, cacheKey)
        : null;
      if (!stale) throw err;
      this.observer.cacheRequest("stale");
      this.observer.fallback("stale");
      return { body: markStale(stale), cache: "stale" };
    }
    const body = JSON.stringify(this.toResponse(rows, request, after, query, view));
    if (lookup.generation) this.cache.put(principal.tenantId, lookup.generation, cacheKey, body);
    return { body, cache: "miss" };
  }

  private keysOf(principal: Principal, request: SearchRequest): SearchKeys {
    const compute = (): SearchKeys => {
      const query = normalize(principal.tenantId, request);
      const cacheKey = hash(
        `${this.policy.fingerprint}:${principal.role}\n${request.limit}\n${request.cursor ?? ""}\n${query}`,
      );
      return { query, cacheKey };
    };
    if (!Object.isFrozen(request)) return compute();
    let byCaller = this.keys.get(request);
    if (!byCaller) {
      byCaller = new Map();
      this.keys.set(request, byCaller);
    }
    const caller = `${principal.tenantId}:${principal.role}`;
    let keys = byCaller.get(caller);
    if (!keys) {
      if (byCaller.size >= MAX_CALLERS_PER_REQUEST) byCaller.clear();
      keys = compute();
      byCaller.set(caller, keys);
    }
    return keys;
  }

  private toResponse(
    rows: readonly SearchRow[],
    request: SearchRequest,
    after: CursorPosition | undefined,
    query: string,
    view: RoleView,
  ): SearchResponse {
    const { limit } = request;
    const page = rows.slice(0, limit);
    const total = after ? after.total : rows.length > 0 ? Number(rows[0].total) : 0;
    const last = page[page.length - 1];
    const summary = new AccessSummary();
    const results = page.map((row) => toHit(row, view, summary));
    const position = (row: SearchRow): CursorPosition =>
      request.sort
        ? { rank: row.rank, id: row.id, total, key: row.sort_key }
        : { rank: row.rank, id: row.id, total };
    return {
      // First, so the audit trail can read it from the bytes (see governance/audit-http.ts).
      page: {
        count: results.length,
        classifications: [...summary.shown],
        masked: [...summary.masked],
      },
      results,
      total,
      nextCursor:
        rows.length > limit && last
          ? this.cursors.encode(fingerprint(query), position(last))
          : null,
    };
  }
}

/**
 * The stored response with `"meta": {"stale": true, "storedAt": …}` added as its last member:
 * one concatenation, no parse (the stored bytes are a JSON object), and the members before it
 * keep their places (the audit trail reads the first one from the bytes).
 */
function markStale({ body, storedAt }: StaleCopy): Buffer {
  const meta = JSON.stringify({ stale: true, storedAt: storedAt.toISOString() });
  const members = body.subarray(0, body.lastIndexOf("}")); // up to the closing brace
  const separator = members.length > 1 ? "," : "";
  return Buffer.concat([members, Buffer.from(`${separator}"meta":${meta}}`)]);
}

/**
 * One result, masked for the role before it is escaped: sensitive values in the snippet are
 * found with the match markers still in place (a marker inside a value must not hide it).
 */
function toHit(row: SearchRow, view: RoleView, summary: AccessSummary): SearchHit {
  const masked = maskContent(
    view,
    {
      classification: row.classification,
      title: row.title,
      text: row.snippet,
      subjectId: row.subject_id,
      fields: row.fields,
    },
    { textName: "snippet", highlight: { start: SNIPPET_START, stop: SNIPPET_STOP } },
    summary,
  );
  return {
    id: row.id,
    externalId: row.external_id,
    title: masked.title,
    snippet: highlight(masked.text),
    rank: row.rank,
    classification: row.classification,
    fields: masked.fields,
    subjectId: masked.subjectId,
    updatedAt: row.updated_at.toISOString(),
    meta: masked.meta,
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
 * The query as a cursor is bound to it: the tenant and the query with its filters, not the page
 * size (which may change between pages). Whitespace is normalized; case is not, since `OR` is an
 * operator and `or` a word.
 */
export function normalize(tenantId: string, r: SearchRequest): string {
  const filters = Object.keys(r.filters)
    .sort()
    .map((k) => [k, r.filters[k]]);
  return JSON.stringify([
    tenantId,
    r.q.replace(/\s+/g, " "),
    r.mode,
    r.classification ?? null,
    filters,
    r.sort ? `${r.sort.descending ? "-" : ""}${r.sort.field}` : null,
  ]);
}

function fingerprint(normalizedQuery: string): string {
  return hash(normalizedQuery).slice(0, 22);
}

/** SHA-256, base64url; one-shot (no Hash object per call: about half the cost here). */
function hash(s: string): string {
  return digest("sha256", s, "base64url");
}
