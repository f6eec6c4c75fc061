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
  subject_id: string | null;
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
  readonly subjectId?: string | undefined;
}

export type UpsertOutcome = "created" | "updated" | "unchanged";

const COLUMNS =
  "id, external_id, title, body, fields, classification, subject_id, version, created_at, updated_at";

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
    `INSERT INTO search.documents AS d
       (tenant_id, external_id, title, body, fields, classification, subject_id)
     SELECT $1, u.external_id, u.title, u.body, u.fields, u.classification, u.subject_id
     FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[])
       AS u (external_id, title, body, fields, classification, subject_id)
     ON CONFLICT (tenant_id, external_id) DO UPDATE
       SET title = EXCLUDED.title, body = EXCLUDED.body, fields = EXCLUDED.fields,
           classification = EXCLUDED.classification, subject_id = EXCLUDED.subject_id,
           version = d.version + 1, updated_at = now()
       WHERE (d.title, d.body, d.fields, d.classification, d.subject_id)
             IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.body, EXCLUDED.fields,
                               EXCLUDED.classification, EXCLUDED.subject_id)
     RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
    [
      tx.tenantId,
      docs.map((d) => d.externalId),
      docs.map((d) => d.title),
      docs.map((d) => d.body),
      docs.map((d) => JSON.stringify(d.fields)),
      docs.map((d) => d.classification),
      docs.map((d) => d.subjectId ?? null),
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

/**
 * Deletes every document of the tenant about one data subject (erasure); returns how many.
 */
export async function deleteSubjectDocuments(
  tx: TenantTransaction,
  subjectId: string,
): Promise<number> {
  const rows = await tx.query(
    "DELETE FROM search.documents WHERE tenant_id = $1 AND subject_id = $2 RETURNING id",
    [tx.tenantId, subjectId],
  );
  return rows.length;
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
  subject_id: string | null;
  /** The sort field's value (JSON), when sorting by a field. */
  sort_key: unknown;
}

export interface SearchStatement {
  readonly query: string;
  readonly mode: "websearch" | "prefix" | "fuzzy";
  /** Rows to return (the caller asks one more than a page to know whether another follows). */
  readonly limit: number;
  /** The keyset position: the last result's rank, or its sort field's value, and its id. */
  readonly after:
    { readonly rank: number; readonly id: string; readonly key?: unknown } | undefined;
  readonly fields: Readonly<Record<string, string>> | undefined;
  readonly classification: Classification | undefined;
  /** Only documents of these classifications match (the caller's role); undefined: all. */
  readonly visible?: readonly Classification[] | undefined;
  /** Kinds of sensitive value to mask in snippets (the caller's role); undefined: none. */
  readonly mask?: readonly string[] | undefined;
  /** Order by a structured field instead of by rank. */
  readonly sort?: { readonly field: string; readonly descending: boolean } | undefined;
}

/** Markers `search_documents` puts around matched words (private-use characters). */
export const SNIPPET_START = "\u{E000}";
export const SNIPPET_STOP = "\u{E001}";

/**
 * One page of matches, through the SECURITY DEFINER functions (see migrations 0001 and 0002):
 * they take the tenant from the transaction, never from a parameter.
 */
export function searchDocuments(tx: TenantTransaction, s: SearchStatement): Promise<SearchRow[]> {
  const fields = s.fields && Object.keys(s.fields).length > 0 ? JSON.stringify(s.fields) : null;
  const after = [s.after && !s.sort ? s.after.rank : null, s.after?.id ?? null];
  const governance = [
    s.visible ?? null,
    s.mask && s.mask.length > 0 ? s.mask : null,
    s.sort?.field ?? null,
    s.sort?.descending ?? null,
    s.after && s.sort ? JSON.stringify(s.after.key ?? null) : null,
  ];
  if (s.mode === "fuzzy") {
    return tx.query<SearchRow>(
      "SELECT * FROM search.fuzzy_search_documents($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
      [s.query, s.limit, ...after, fields, s.classification ?? null, ...governance],
    );
  }
  return tx.query<SearchRow>(
    "SELECT * FROM search.search_documents($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    [s.query, s.mode, s.limit, ...after, fields, s.classification ?? null, ...governance],
  );
}
