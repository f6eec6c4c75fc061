/**
 * Verifies a tenant's audit chain: recomputes every record's hash from its stored columns,
 * checks that each links to the one before it with consecutive sequence numbers, that the chain
 * ends at its head, and that every signed checkpoint is genuine and lies on the chain. Reports
 * the first broken link, by position (seq).
 *
 * What it can and cannot prove:
 * - a record changed, removed or inserted in the middle: the next link breaks;
 * - records removed from the end: the chain no longer reaches its head (or a checkpoint);
 * - a whole chain rewritten by the table owner, heads included: the records no longer hash to
 *   what the checkpoints signed, and a checkpoint cannot be signed without AUDIT_HMAC_KEY, which
 *   is not in the database. Records after the latest checkpoint (at most `checkpointIntervalMs`
 *   old), and a rewrite whose author also deleted the checkpoints, are beyond this check: the
 *   copy of every record in the CloudWatch audit log group (the stdout channel) is the
 *   independent record for those;
 * - records before the first one still stored (dropped with their partition after the retention
 *   period) are trusted through that first record's `prev_hash`; `verifiedFrom` says where the
 *   check starts.
 */
import type { Classification } from "../config/compliance";
import type { Role } from "../config/settings";
import type { Database, Queryable } from "../adapters/postgres/database";
import {
  canonicalForm,
  chainHash,
  GENESIS_HASH,
  type AuditKeys,
  type AuditOutcome,
  type AuditRecord,
  type DetailValue,
} from "./audit-record";

export interface BrokenLink {
  /** The position in the chain where verification failed. */
  readonly seq: number;
  readonly recordId: string | null;
  readonly occurredAt: string | null;
  readonly reason: string;
}

export interface ChainVerification {
  readonly tenantId: string;
  /** intact: every check passed; broken: see `firstBroken`; empty: no record yet. */
  readonly status: "intact" | "broken" | "empty";
  /** Records checked. */
  readonly records: number;
  /** The first seq checked: above 1 when older partitions were dropped by retention. */
  readonly verifiedFrom: number | null;
  readonly head: { readonly seq: number; readonly hash: string } | null;
  readonly checkpoints: {
    /** Signed checkpoints found on the chain, signature and hash checked. */
    readonly verified: number;
    /** Signed with a key this service no longer has (rotated away): neither trusted nor refuted. */
    readonly unverifiable: number;
    /** The latest checkpoint: records after it rest on the chain alone. */
    readonly latest: { readonly seq: number; readonly signedAt: string } | null;
  };
  readonly firstBroken: BrokenLink | null;
}

interface AuditRow {
  id: string;
  tenant_id: string;
  seq: string;
  occurred_at: Date;
  request_id: string;
  key_id: string | null;
  role: Role | null;
  action: string;
  resource: string | null;
  outcome: AuditOutcome;
  status: number;
  result_count: number | null;
  classifications: Classification[];
  masked_classifications: Classification[];
  query_digest: string | null;
  query_text: string | null;
  client_ip: string | null;
  details: Record<string, DetailValue> | null;
  prev_hash: Buffer;
  hash: Buffer;
}

const PAGE_SIZE = 5_000;

/** The record a row stores, as it was when its hash was computed. */
export function recordOfRow(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    occurredAt: row.occurred_at,
    requestId: row.request_id,
    keyId: row.key_id,
    role: row.role,
    action: row.action,
    resource: row.resource,
    outcome: row.outcome,
    status: row.status,
    resultCount: row.result_count,
    classifications: row.classifications,
    maskedClassifications: row.masked_classifications,
    queryDigest: row.query_digest,
    queryText: row.query_text,
    clientIp: row.client_ip,
    details: row.details,
  };
}

interface CheckpointRow {
  seq: string;
  hash: Buffer;
  mac: Buffer;
  key_id: string;
  created_at: Date;
}

/**
 * @param tx statements in the tenant's context (row-level security shows only its records).
 */
export async function verifyChain(
  tx: Queryable & { readonly tenantId: string },
  keys: AuditKeys,
): Promise<ChainVerification> {
  const tenantId = tx.tenantId;
  // The head and the latest checkpoint from one snapshot: no checkpoint lies beyond that head.
  const [state] = await tx.query<{
    head_seq: string | null;
    head_hash: Buffer | null;
    latest_seq: string | null;
    latest_at: Date | null;
    any_record: boolean;
  }>(
    `SELECT h.seq AS head_seq, h.hash AS head_hash, c.seq AS latest_seq, c.created_at AS latest_at,
            EXISTS (SELECT 1 FROM search.audit_log a WHERE a.tenant_id = $1) AS any_record
     FROM (SELECT 1) one
     LEFT JOIN search.audit_heads h ON h.tenant_id = $1
     LEFT JOIN LATERAL (SELECT seq, created_at FROM search.audit_checkpoints
                        WHERE tenant_id = $1 ORDER BY seq DESC LIMIT 1) c ON true`,
    [tenantId],
  );
  const head =
    state.head_seq === null ? null : { seq: Number(state.head_seq), hash: state.head_hash! };
  const latest =
    state.latest_seq === null
      ? null
      : { seq: Number(state.latest_seq), signedAt: state.latest_at!.toISOString() };
  let verifiedCheckpoints = 0;
  let unverifiable = 0;
  const result = (
    status: ChainVerification["status"],
    records: number,
    verifiedFrom: number | null,
    firstBroken: BrokenLink | null,
  ): ChainVerification => ({
    tenantId,
    status,
    records,
    verifiedFrom,
    head: head && { seq: head.seq, hash: head.hash.toString("hex") },
    checkpoints: { verified: verifiedCheckpoints, unverifiable, latest },
    firstBroken,
  });
  const broken = (seq: number, reason: string, row?: AuditRow): BrokenLink => ({
    seq,
    recordId: row?.id ?? null,
    occurredAt: row?.occurred_at.toISOString() ?? null,
    reason,
  });

  if (!head) {
    return state.any_record || latest
      ? result(
          "broken",
          0,
          null,
          broken(1, "records or checkpoints exist but the chain has no head"),
        )
      : result("empty", 0, null, null);
  }
  if (latest && latest.seq > head.seq) {
    return result(
      "broken",
      0,
      null,
      broken(
        head.seq + 1,
        `records after seq ${head.seq} are gone: a checkpoint signed seq ${latest.seq}`,
      ),
    );
  }

  let previous: { seq: number; hash: Buffer } | undefined;
  let verifiedFrom: number | null = null;
  let records = 0;
  for (;;) {
    const from = previous?.seq ?? 0;
    const rows = await tx.query<AuditRow>(
      `SELECT * FROM search.audit_log
       WHERE tenant_id = $1 AND seq > $2 AND seq <= $3
       ORDER BY seq LIMIT $4`,
      [tenantId, from, head.seq, PAGE_SIZE],
    );
    const through = rows.length === PAGE_SIZE ? Number(rows[rows.length - 1].seq) : head.seq;
    const checkpoints = new Map(
      (
        await tx.query<CheckpointRow>(
          `SELECT seq, hash, mac, key_id, created_at FROM search.audit_checkpoints
           WHERE tenant_id = $1 AND seq > $2 AND seq <= $3`,
          [tenantId, from, through],
        )
      ).map((c) => [Number(c.seq), c]),
    );
    for (const row of rows) {
      const seq = Number(row.seq);
      if (!previous) {
        verifiedFrom = seq;
        if (seq === 1 && !row.prev_hash.equals(GENESIS_HASH)) {
          return result(
            "broken",
            records,
            verifiedFrom,
            broken(seq, "the first record does not start a chain", row),
          );
        }
      } else if (seq !== previous.seq + 1) {
        return result(
          "broken",
          records,
          verifiedFrom,
          broken(previous.seq + 1, `records ${previous.seq + 1} to ${seq - 1} are missing`, row),
        );
      } else if (!row.prev_hash.equals(previous.hash)) {
        return result(
          "broken",
          records,
          verifiedFrom,
          broken(
            seq,
            `it does not link to record ${previous.seq}: that record was changed, or this one`,
            row,
          ),
        );
      }
      const recomputed = chainHash(row.prev_hash, seq, canonicalForm(recordOfRow(row)));
      if (!recomputed.equals(row.hash)) {
        return result(
          "broken",
          records,
          verifiedFrom,
          broken(seq, "its content does not match its hash: the record was altered", row),
        );
      }
      const checkpoint = checkpoints.get(seq);
      if (checkpoint) {
        const genuine = keys.verifyCheckpoint(
          checkpoint.key_id,
          tenantId,
          seq,
          checkpoint.hash,
          checkpoint.mac,
        );
        if (genuine === false) {
          return result(
            "broken",
            records,
            verifiedFrom,
            broken(
              seq,
              "the checkpoint's signature is not valid: it was not made by this service",
              row,
            ),
          );
        }
        if (!row.hash.equals(checkpoint.hash)) {
          return result(
            "broken",
            records,
            verifiedFrom,
            broken(seq, "the chain differs from the signed checkpoint here: it was rewritten", row),
          );
        }
        if (genuine) verifiedCheckpoints += 1;
        else unverifiable += 1;
      }
      previous = { seq, hash: row.hash };
      records += 1;
    }
    if (rows.length < PAGE_SIZE) break;
  }

  if (!previous || previous.seq !== head.seq) {
    const last = previous?.seq ?? 0;
    return result(
      "broken",
      records,
      verifiedFrom,
      broken(
        last + 1,
        `the chain ends at seq ${last} but its head is at seq ${head.seq}: records were removed`,
      ),
    );
  }
  if (!previous.hash.equals(head.hash)) {
    return result(
      "broken",
      records,
      verifiedFrom,
      broken(head.seq, "the last record does not match the chain's head"),
    );
  }
  return result("intact", records, verifiedFrom, null);
}

/** `GET /v1/audit/verify`: a tenant's chain, read from the reader (one snapshot per page). */
export class AuditVerifier {
  constructor(
    private readonly db: Database,
    private readonly keys: AuditKeys,
  ) {}

  verify(tenantId: string): Promise<ChainVerification> {
    return verifyChain(this.db.forTenant(tenantId), this.keys);
  }
}
