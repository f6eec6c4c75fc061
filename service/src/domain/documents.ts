/**
 * Documents: create or replace by external id, bulk, read, delete. A write is acknowledged once
 * committed and once the tenant's cached searches are unreachable (see SearchCache). Every
 * document returned is masked for the caller's role (governance/masking.ts), and comes with
 * what it showed unmasked and masked (for the audit trail).
 */
import {
  deleteDocument,
  findDocument,
  upsertDocuments,
  type DocumentRow,
  type UpsertOutcome,
} from "../adapters/postgres/documents-repository";
import type { SearchCache } from "../adapters/redis/search-cache";
import type { ClassificationPolicy, RoleView } from "../governance/classification";
import { AccessSummary, maskContent } from "../governance/masking";
import { AppError } from "../http/errors";
import type { Principal } from "./principal";
import { poolForRead, type Pools } from "./read-routing";
import type { BulkItemResult, BulkResponse, Document, DocumentInput } from "./schemas";

/** A bulk item after validation: a document to write, or why it cannot be. */
export type BulkItem =
  | { readonly ok: true; readonly document: DocumentInput }
  | { readonly ok: false; readonly externalId: string | null; readonly message: string };

/** A document as a role may see it, and the classifications it showed unmasked and masked. */
export interface DocumentView {
  readonly document: Document;
  readonly access: AccessSummary;
}

export class DocumentService {
  constructor(
    private readonly pools: Pools,
    private readonly cache: SearchCache,
    private readonly policy: ClassificationPolicy,
  ) {}

  async put(
    principal: Principal,
    input: DocumentInput,
  ): Promise<DocumentView & { outcome: UpsertOutcome }> {
    // An upsert by external id: run again, it writes the same document (or finds it unchanged).
    const written = await this.pools.writer.withTenant(
      principal.tenantId,
      (tx) => upsertDocuments(tx, [input]),
      { idempotent: true },
    );
    const { row, outcome } = written.get(input.externalId)!;
    if (outcome !== "unchanged") {
      await this.cache.invalidate(principal.tenantId, { keepStaleCopies: true });
    }
    return { ...toDocument(row, this.policy.view(principal.role)), outcome };
  }

  /**
   * Writes the valid items in one transaction; answers per item, in request order. When an
   * external id appears more than once, the last occurrence is written and the earlier ones are
   * reported invalid (one statement cannot write a row twice).
   */
  async putMany(principal: Principal, items: readonly BulkItem[]): Promise<BulkResponse> {
    const lastIndex = new Map<string, number>();
    items.forEach((item, i) => {
      if (item.ok) lastIndex.set(item.document.externalId, i);
    });
    const toWrite = [...lastIndex.values()].map((i) => {
      const item = items[i];
      return (item as Extract<BulkItem, { ok: true }>).document;
    });
    const written =
      toWrite.length === 0
        ? new Map()
        : await this.pools.writer.withTenant(
            principal.tenantId,
            (tx) => upsertDocuments(tx, toWrite),
            { idempotent: true }, // upserts by external id, as in `put`
          );
    const results: BulkItemResult[] = items.map((item, index) => {
      if (!item.ok) {
        return {
          index,
          externalId: item.externalId,
          status: 400,
          result: "invalid",
          error: { code: "validation_error", message: item.message },
        };
      }
      const externalId = item.document.externalId;
      const last = lastIndex.get(externalId)!;
      if (last !== index) {
        return {
          index,
          externalId,
          status: 400,
          result: "invalid",
          error: {
            code: "validation_error",
            message: `documents[${index}].externalId: appears again at documents[${last}], which was written instead`,
          },
        };
      }
      const { row, outcome } = written.get(externalId)!;
      return {
        index,
        externalId,
        status: outcome === "created" ? 201 : 200,
        result: outcome,
        id: row.id,
      };
    });
    if (results.some((r) => r.result === "created" || r.result === "updated")) {
      await this.cache.invalidate(principal.tenantId, { keepStaleCopies: true });
    }
    return { errors: results.some((r) => r.status === 400), items: results };
  }

  async get(principal: Principal, id: string): Promise<DocumentView> {
    const state = await this.cache.state(principal.tenantId);
    const db = poolForRead(this.pools, state);
    const row = await findDocument(db.forTenant(principal.tenantId), principal.tenantId, id);
    if (!row) throw AppError.notFound(`No document with id ${id}.`);
    return toDocument(row, this.policy.view(principal.role));
  }

  async remove(principal: Principal, id: string): Promise<void> {
    // Not idempotent: run again after a commit whose answer was lost, it would answer 404.
    const deleted = await this.pools.writer.withTenant(
      principal.tenantId,
      (tx) => deleteDocument(tx, id),
      { idempotent: false },
    );
    if (!deleted) throw AppError.notFound(`No document with id ${id}.`);
    // Stale copies go too: a deleted document must not come back while PostgreSQL is down.
    await this.cache.invalidate(principal.tenantId);
  }
}

/** A stored document as `view`'s role may see it. */
export function toDocument(row: DocumentRow, view: RoleView): DocumentView {
  const access = new AccessSummary();
  const masked = maskContent(
    view,
    {
      classification: row.classification,
      title: row.title,
      text: row.body,
      subjectId: row.subject_id,
      fields: row.fields,
    },
    { textName: "body" },
    access,
  );
  return {
    document: {
      id: row.id,
      externalId: row.external_id,
      title: masked.title,
      body: masked.text,
      fields: masked.fields,
      classification: row.classification,
      subjectId: masked.subjectId,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
      meta: masked.meta,
    },
    access,
  };
}
