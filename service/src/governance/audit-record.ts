/**
 * An audit record, its canonical form and the hash chain over it.
 *
 * Each tenant's records form a chain: `hash = SHA-256(prev_hash ‖ seq as 8 bytes big-endian ‖
 * canonical)`, the first record's `prev_hash` being 32 zero bytes. The service sends only the
 * canonical form built here; PostgreSQL (search.append_audit_records, migration 0002) reads the
 * stored columns out of it and computes the hash, so the columns are exactly what was hashed.
 * Verification (audit-verify.ts) rebuilds the canonical form from the stored columns and
 * recomputes the hash. The canonical form is a JSON array in a fixed order, classifications sorted,
 * `details` with sorted keys: it survives a round trip through PostgreSQL unchanged.
 *
 * What a record never holds: a document's title, body or field values, a raw subject id, an API
 * key. So erasing a subject's documents touches no audit record and the chain stays whole; the
 * subject appears only as a keyed digest. The query is a keyed digest, plus its text (with
 * sensitive values masked) only where the preset allows (`audit.hashQueries` false).
 */
import {
  createHash,
  createHmac,
  createSecretKey,
  randomUUID,
  timingSafeEqual,
  type KeyObject,
} from "node:crypto";
import type { Classification } from "../config/compliance";
import type { AuditKeyMaterial } from "../config/load";
import type { Role } from "../config/settings";

/** The chain of records that have no tenant (an unknown API key, say). */
export const NO_TENANT = "00000000-0000-0000-0000-000000000000";

/** The `prev_hash` of a chain's first record. */
export const GENESIS_HASH = Buffer.alloc(32);

const CANONICAL_VERSION = "search-audit/1";

/**
 * allowed: served (2xx/3xx); denied: 401, 403, 429; error: any other failure; attempt: a change
 * about to be made, recorded before it under a fail-closed preset.
 */
export type AuditOutcome = "allowed" | "denied" | "error" | "attempt";

export type DetailValue = string | number | boolean | null | readonly string[];

export interface AuditRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly occurredAt: Date;
  readonly requestId: string;
  readonly keyId: string | null;
  readonly role: Role | null;
  /** What was asked: search, read, write, delete, manageKeys, erase, audit. */
  readonly action: string;
  /** What it was about: a document id, an API key id, `subject:<digest>`. */
  readonly resource: string | null;
  readonly outcome: AuditOutcome;
  /** The HTTP status (0 for an attempt). */
  readonly status: number;
  readonly resultCount: number | null;
  /** Classifications of the data the response showed unmasked. */
  readonly classifications: readonly Classification[];
  /** Classifications of the data the response showed masked. */
  readonly maskedClassifications: readonly Classification[];
  /** `hmac-sha256:<hex>` of the query, keyed and bound to the tenant. */
  readonly queryDigest: string | null;
  /** The query with sensitive values masked, where the preset allows keeping it. */
  readonly queryText: string | null;
  readonly clientIp: string | null;
  readonly details: Readonly<Record<string, DetailValue>> | null;
}

/**
 * A new record's id: a UUIDv7 (RFC 9562), time-ordered, so that the audit table's primary key
 * grows at its right edge instead of touching a random page per insert. The random bits come
 * from `randomUUID` (pooled: one system call per many ids), whose variant bits are v7's too.
 */
export function newRecordId(now: number = Date.now()): string {
  const random = randomUUID();
  const time = now.toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}

/** The canonical form the chain hashes (see the module comment). */
export function canonicalForm(r: AuditRecord): string {
  return JSON.stringify([
    CANONICAL_VERSION,
    r.tenantId,
    r.id,
    r.occurredAt.toISOString(),
    r.requestId,
    r.keyId,
    r.role,
    r.action,
    r.resource,
    r.outcome,
    r.status,
    r.resultCount,
    [...r.classifications].sort(),
    [...r.maskedClassifications].sort(),
    r.queryDigest,
    r.queryText,
    r.clientIp,
    r.details === null ? null : sortKeys(r.details),
  ]);
}

function sortKeys(details: Readonly<Record<string, DetailValue>>): Record<string, DetailValue> {
  const out: Record<string, DetailValue> = {};
  for (const key of Object.keys(details).sort()) out[key] = details[key];
  return out;
}

/** One link of the chain. */
export function chainHash(prevHash: Buffer, seq: number, canonical: string): Buffer {
  const seqBytes = Buffer.alloc(8);
  seqBytes.writeBigInt64BE(BigInt(seq));
  return createHash("sha256").update(prevHash).update(seqBytes).update(canonical, "utf8").digest();
}

/**
 * The audit trail's keys: HMAC-SHA256 for digests of queries and subjects and for signed
 * checkpoints. Every use has its own label, so a digest of one kind can never pass for another.
 */
export class AuditKeys {
  /**
   * Keys as KeyObjects, made once: createHmac prepares a raw Buffer key on every call, which
   * measured 15 µs an HMAC here against 3.5 µs with a KeyObject.
   */
  private readonly current: KeyObject;
  private readonly all: readonly { id: string; key: KeyObject }[];
  /** Names the current key in checkpoints (not secret: a hash prefix). */
  readonly keyId: string;
  private readonly recentDigests = new Map<string, string>();

  constructor(material: AuditKeyMaterial) {
    this.all = [material.current, ...material.previous].map((k) => {
      const bytes = keyBytes(k);
      return { id: keyIdOf(bytes), key: createSecretKey(bytes) };
    });
    this.current = this.all[0].key;
    this.keyId = this.all[0].id;
  }

  /**
   * Lets an investigator ask "did anyone search for X?" without the trail holding X. Recent
   * digests are remembered (searches repeat; an HMAC is most of an audited cache hit's cost).
   */
  queryDigest(tenantId: string, query: string): string {
    const key = `${tenantId}\n${query}`;
    let digest = this.recentDigests.get(key);
    if (digest === undefined) {
      digest = `hmac-sha256:${this.mac(this.current, "query", tenantId, query).toString("hex")}`;
      if (this.recentDigests.size >= RECENT_DIGESTS) {
        this.recentDigests.delete(this.recentDigests.keys().next().value!);
      }
      this.recentDigests.set(key, digest);
    }
    return digest;
  }

  /** The subject of an erasure, recorded without naming the person. */
  subjectDigest(tenantId: string, subjectId: string): string {
    return `hmac-sha256:${this.mac(this.current, "subject", tenantId, subjectId).toString("hex")}`;
  }

  /** Signs a chain head. */
  signCheckpoint(tenantId: string, seq: number, hash: Buffer): Buffer {
    return this.mac(this.current, "checkpoint", tenantId, String(seq), hash.toString("hex"));
  }

  /**
   * Whether `mac` signs this head under the key named `keyId`; undefined when that key is not
   * known here (rotated away): the checkpoint can then be neither trusted nor refuted.
   */
  verifyCheckpoint(
    keyId: string,
    tenantId: string,
    seq: number,
    hash: Buffer,
    mac: Buffer,
  ): boolean | undefined {
    const key = this.all.find((k) => k.id === keyId);
    if (!key) return undefined;
    const expected = this.mac(key.key, "checkpoint", tenantId, String(seq), hash.toString("hex"));
    return expected.length === mac.length && timingSafeEqual(expected, mac);
  }

  private mac(key: KeyObject, label: string, ...parts: string[]): Buffer {
    const h = createHmac("sha256", key).update(`search-audit/${label}`);
    for (const part of parts) h.update("\n").update(part, "utf8");
    return h.digest();
  }
}

/** Query digests remembered per replica (the oldest goes first). */
const RECENT_DIGESTS = 10_000;

/** AUDIT_HMAC_KEY's text as UTF-8, or the bytes of a key derived through KMS. */
function keyBytes(key: string | KeyObject): Buffer {
  return typeof key === "string" ? Buffer.from(key, "utf8") : key.export();
}

function keyIdOf(key: Buffer): string {
  return createHash("sha256").update("search-audit/key-id").update(key).digest("hex").slice(0, 16);
}
