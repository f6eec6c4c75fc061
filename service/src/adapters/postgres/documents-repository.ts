/**
 * SQL over `search.documents`, run as the application role under row-level security. Every
 * statement also filters on the tenant itself: RLS is the guard, not the mechanism.
 */
import type { Classification } from "../../config/compliance";
import type { Queryable, TenantTransaction } from "./database";

export interface DocumentRow {
  id: string;
  external_id: string;
  title: string;
  body: string;
  fields: Record<string, string | number | boolean | null>;
  classification: Classification;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface DocumentWrite {
  readonly externalId: string;
  readonly title: string;
  readonly body: string;
  readonly fields: Readonly<Record<string, string | number | boolean | null>>;
  readonly classification: Classification;
}

export type UpsertOutcome = "created" | "updated" | "unchanged";

const COLUMNS =
  "id, external_id, title, body, fields, classification, version, created_at, updated_at";

/**
 * Creates or replaces documents by external id, in one statement. A document whose content is
 * identical is left alone (no new version, no new updated_at): replaying a request is a no-op.
 * External ids must be unique within `docs`.
 */
export async function upsertDocuments(
  tx: TenantTransaction,
  docs: readonly DocumentWrite[],
): Promise<Map<string, { row: DocumentRow; outcome: UpsertOutcome }>> {
  const written = await tx.query<DocumentRow & { inserted: boolean }>(
    `INSERT INTO search.documents AS d (tenant_id, external_id, title, body, fields, classification)
     SELECT $1, u.external_id, u.title, u.body, u.fields, u.classification
     FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[])
       AS u (external_id, title, body, fields, classification)
     ON CONFLICT (tenant_id, external_id) DO UPDATE
       SET title = EXCLUDED.title, body = EXCLUDED.body, fields = EXCLUDED.fields,
           classification = EXCLUDED.classification, version = d.version + 1, updated_at = now()
       WHERE (d.title, d.body, d.fields, d.classification)
             IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.body, EXCLUDED.fields, EXCLUDED.classification)
     RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
    [
      tx.tenantId,
      docs.map((d) => d.externalId),
      docs.map((d) => d.title),
      docs.map((d) => d.body),
      docs.map((d) => JSON.stringify(d.fields)),
      docs.map((d) => d.classification),
    ],
  );
  const out = new Map<string, { row: DocumentRow; outcome: UpsertOutcome }>();
  for (const { inserted, ...row } of written) {
    out.set(row.external_id, { row, outcome: inserted ? "created" : "updated" });
  }
  if (out.size < docs.length) {
    const unchanged = docs.filter((d) => !out.has(d.externalId)).map((d) => d.externalId);
    const rows = await tx.query<DocumentRow>(
      `SELECT ${COLUMNS} FROM search.documents WHERE tenant_id = $1 AND external_id = ANY($2::text[])`,
      [tx.tenantId, unchanged],
    );
    for (const row of rows) out.set(row.external_id, { row, outcome: "unchanged" });
  }
  return out;
}

export async function findDocument(
  db: Queryable,
  tenantId: string,
  id: string,
): Promise<DocumentRow | undefined> {
  const rows = await db.query<DocumentRow>(
    `SELECT ${COLUMNS} FROM search.documents WHERE tenant_id = $1 AND id = $2`,
    [tenantId, id],
  );
  return rows[0];
}

export async function deleteDocument(tx: TenantTransaction, id: string): Promise<boolean> {
  const rows = await tx.query(
    "DELETE FROM search.documents WHERE tenant_id = $1 AND id = $2 RETURNING id",
    [tx.tenantId, id],
  );
  return rows.length > 0;
}

export interface SearchRow {
  id: string;
  external_id: string;
  title: string;
  snippet: string;
  rank: number;
  classification: Classification;
  fields: Record<string, string | number | boolean | null>;
  updated_at: Date;
  total: string;
}

export interface SearchStatement {
  readonly query: string;
  readonly mode: "websearch" | "prefix" | "fuzzy";
  /** Rows to return (the caller asks one more than a page to know whether another follows). */
  readonly limit: number;
  readonly after: { readonly rank: number; readonly id: string } | undefined;
  readonly fields: Readonly<Record<string, string>> | undefined;
  readonly classification: Classification | undefined;
}

/** Markers `search_documents` puts around matched words (private-use characters). */
export const SNIPPET_START = "\u{E000}";
export const SNIPPET_STOP = "\u{E001}";

/**
 * One page of ranked matches, through the SECURITY DEFINER functions (see migration 0001): they
 * take the tenant from the transaction, never from a parameter.
 */
export function searchDocuments(tx: TenantTransaction, s: SearchStatement): Promise<SearchRow[]> {
  const fields = s.fields && Object.keys(s.fields).length > 0 ? JSON.stringify(s.fields) : null;
  const after = [s.after?.rank ?? null, s.after?.id ?? null];
  if (s.mode === "fuzzy") {
    return tx.query<SearchRow>(
      "SELECT * FROM search.fuzzy_search_documents($1, $2, $3, $4, $5, $6)",
      [s.query, s.limit, ...after, fields, s.classification ?? null],
    );
  }
  return tx.query<SearchRow>("SELECT * FROM search.search_documents($1, $2, $3, $4, $5, $6, $7)", [
    s.query,
    s.mode,
    s.limit,
    ...after,
    fields,
    s.classification ?? null,
  ]);
}
