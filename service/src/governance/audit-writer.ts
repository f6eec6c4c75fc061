/**
 * Writes audit records to PostgreSQL in batches (group commit): one call of
 * search.append_audit_records, hence one INSERT, per batch. A batch leaves when it holds
 * `batchMaxSize` records or when its oldest record has waited `batchMaxDelayMs`, whichever comes
 * first, and never while the previous batch is in flight (one at a time per replica: a record
 * may then wait longer, for that batch's commit).
 *
 * Two ways in:
 * - `commit`: resolves once the record's batch is committed, rejects (503) when it fails. Used
 *   under fail-closed presets: the response waits, and is refused when its record is not there.
 * - `spool`: fire and forget. A failed record is kept in memory and retried with backoff (100 ms
 *   doubling to 30 s), at most `spoolMaxRecords` of them; beyond that the oldest are dropped and
 *   counted. What is in memory is lost if the process dies: at most the spool, plus whatever
 *   arrived in the last `batchMaxDelayMs`.
 *
 * Every committed record is then written as one JSON line on stdout with `"channel":"audit"`
 * (shipped to a KMS-encrypted CloudWatch log group that keeps it as long as the table does).
 * Every `checkpointIntervalMs` the head of each chain this replica extended is signed into
 * search.audit_checkpoints.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { Queryable } from "../adapters/postgres/database";
import type { ServiceSettings } from "../config/settings";
import { AppError } from "../http/errors";
import { canonicalForm, type AuditKeys, type AuditRecord } from "./audit-record";

/** Where a committed record went in its chain. */
export interface ChainPosition {
  readonly seq: number;
  readonly prevHash: Buffer;
  readonly hash: Buffer;
}

export type AuditLine = (record: AuditRecord, position: ChainPosition) => void;

export interface AuditWriterEvents {
  /** A batch, a retry or a checkpoint failed (already counted in the metrics). */
  onError(err: unknown, operation: "append" | "checkpoint"): void;
  /** Records dropped: the spool was full, or the process stopped before they were written. */
  onDropped(count: number, reason: "spool full" | "shutdown"): void;
  /** The batch failed because no partition covers a record's time: create them, then retry. */
  ensurePartitions(): Promise<void>;
}

/** The writer's metrics (names and labels are a contract: the platform may alarm on them). */
export class AuditMetrics {
  readonly records: Counter<"result">;
  readonly batches: Counter<"result">;
  readonly batchRecords: Histogram;
  readonly commitSeconds: Histogram;
  readonly spooled: Gauge;

  constructor(registry: Registry) {
    this.records = new Counter({
      name: "audit_records_total",
      help: "Audit records by result: committed, failed (its request was refused) or dropped.",
      labelNames: ["result"] as const,
      registers: [registry],
    });
    this.batches = new Counter({
      name: "audit_batches_total",
      help: "Audit batches (one INSERT each) by result: ok or error.",
      labelNames: ["result"] as const,
      registers: [registry],
    });
    this.batchRecords = new Histogram({
      name: "audit_batch_records",
      help: "Records per audit batch.",
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    });
    this.commitSeconds = new Histogram({
      name: "audit_commit_duration_seconds",
      help: "Time to commit one audit batch.",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.spooled = new Gauge({
      name: "audit_spooled_records",
      help: "Audit records waiting in memory to be retried.",
      registers: [registry],
    });
    for (const r of ["committed", "failed", "dropped"]) this.records.labels(r).inc(0);
    for (const r of ["ok", "error"]) this.batches.labels(r).inc(0);
  }
}

interface Entry {
  readonly record: AuditRecord;
  readonly canonical: string;
  /** When it was queued (performance.now()). */
  readonly queuedAt: number;
  readonly waiter?: { resolve(): void; reject(err: unknown): void };
  attempts: number;
}

interface AppendedRow {
  id: string;
  tenant_id: string;
  seq: string;
  prev_hash: Buffer;
  hash: Buffer;
}

const MAX_RETRY_DELAY_MS = 30_000;

export class AuditWriter {
  private queue: Entry[] = [];
  private readonly retries: Entry[] = [];
  private inFlight: Promise<void> | undefined;
  private batchTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly checkpointTimer: NodeJS.Timeout;
  /** Chain heads this replica extended and has not signed yet. */
  private readonly unsigned = new Map<string, { seq: number; hash: Buffer }>();
  private closing = false;

  constructor(
    private readonly db: Queryable,
    private readonly keys: AuditKeys,
    private readonly options: ServiceSettings["governance"]["audit"],
    private readonly line: AuditLine,
    private readonly metrics: AuditMetrics,
    private readonly events: AuditWriterEvents,
  ) {
    this.checkpointTimer = setInterval(() => void this.checkpoint(), options.checkpointIntervalMs);
    this.checkpointTimer.unref();
  }

  /** Resolves once the record is committed; rejects with a 503 AppError when it cannot be. */
  commit(record: AuditRecord): Promise<void> {
    if (this.closing) return Promise.reject(refusal(new Error("the audit writer is closed")));
    return new Promise((resolve, reject) => {
      this.enqueue({
        record,
        canonical: canonicalForm(record),
        queuedAt: performance.now(),
        waiter: { resolve, reject },
        attempts: 0,
      });
    });
  }

  /** Queues the record; it is retried until it is committed or dropped (module comment). */
  spool(record: AuditRecord): void {
    this.enqueue({
      record,
      canonical: canonicalForm(record),
      queuedAt: performance.now(),
      attempts: 0,
    });
  }

  /**
   * Writes what is queued and waiting for a retry (one more attempt each), signs the heads,
   * then stops. What still cannot be written is reported dropped.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.batchTimer);
    clearTimeout(this.retryTimer);
    clearInterval(this.checkpointTimer);
    this.queue.unshift(...this.retries.splice(0));
    await this.inFlight;
    while (this.queue.length > 0) {
      this.flush();
      await this.inFlight;
      if (this.retries.length > 0) break; // the store is failing: do not loop on it
    }
    const lost = this.retries.length + this.queue.length;
    if (lost > 0) {
      this.metrics.records.labels("dropped").inc(lost);
      this.events.onDropped(lost, "shutdown");
    }
    this.retries.length = 0;
    this.queue = [];
    this.metrics.spooled.set(0);
    await this.checkpoint();
  }

  private enqueue(entry: Entry): void {
    this.queue.push(entry);
    if (this.queue.length >= this.options.batchMaxSize) this.flush();
    else this.schedule();
  }

  /** Arms the timer for when the oldest queued record will have waited `batchMaxDelayMs`. */
  private schedule(): void {
    if (this.batchTimer || this.inFlight || this.queue.length === 0) return;
    const waited = performance.now() - this.queue[0].queuedAt;
    this.batchTimer = setTimeout(
      () => this.flush(),
      Math.max(0, this.options.batchMaxDelayMs - waited),
    );
  }

  /** Sends the next batch unless one is in flight (its completion sends the next one). */
  private flush(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.batchMaxSize);
    this.inFlight = this.send(batch).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length >= this.options.batchMaxSize) this.flush();
      else this.schedule();
    });
  }

  private async send(batch: Entry[]): Promise<void> {
    const started = process.hrtime.bigint();
    let rows: AppendedRow[];
    try {
      rows = await this.append(batch);
    } catch (err) {
      this.fail(batch, err);
      return;
    }
    this.metrics.batches.labels("ok").inc();
    this.metrics.batchRecords.observe(batch.length);
    this.metrics.commitSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    const placed = new Map(rows.map((r) => [r.id, r]));
    for (const entry of batch) {
      const row = placed.get(entry.record.id);
      if (!row) {
        // Cannot happen short of a bug in the function: never acknowledge what is not stored.
        this.fail([entry], new Error(`audit record ${entry.record.id} was not appended`));
        continue;
      }
      const position = { seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash };
      this.metrics.records.labels("committed").inc();
      this.line(entry.record, position);
      const head = this.unsigned.get(row.tenant_id);
      if (!head || head.seq < position.seq) {
        this.unsigned.set(row.tenant_id, { seq: position.seq, hash: position.hash });
      }
      entry.waiter?.resolve();
    }
    this.metrics.spooled.set(this.retries.length);
  }

  /** Sends the canonical forms only: PostgreSQL reads the columns out of them (migration 0002). */
  private async append(batch: Entry[]): Promise<AppendedRow[]> {
    const canonical = batch.map((e) => e.canonical);
    const call = () =>
      this.db.query<AppendedRow>("SELECT * FROM search.append_audit_records($1::text[])", [
        canonical,
      ]);
    try {
      return await call();
    } catch (err) {
      // 23514: no partition of search.audit_log covers a record's time.
      if ((err as { code?: unknown } | null)?.code !== "23514") throw err;
      await this.events.ensurePartitions();
      return call();
    }
  }

  private fail(batch: Entry[], err: unknown): void {
    this.metrics.batches.labels("error").inc();
    this.events.onError(err, "append");
    for (const entry of batch) {
      if (entry.waiter) {
        this.metrics.records.labels("failed").inc();
        entry.waiter.reject(refusal(err));
      } else {
        entry.attempts += 1;
        this.retries.push(entry);
      }
    }
    const over = this.retries.length - this.options.spoolMaxRecords;
    if (over > 0) {
      this.retries.splice(0, over);
      this.metrics.records.labels("dropped").inc(over);
      this.events.onDropped(over, "spool full");
    }
    this.metrics.spooled.set(this.retries.length);
    if (this.retries.length > 0 && !this.retryTimer && !this.closing) {
      const attempts = Math.max(...this.retries.map((e) => e.attempts));
      const delay = Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** Math.min(attempts - 1, 9));
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.queue.unshift(...this.retries.splice(0));
        this.flush();
      }, delay);
      this.retryTimer.unref();
    }
  }

  /** Signs the heads this replica extended since the last checkpoint. */
  private async checkpoint(): Promise<void> {
    if (this.unsigned.size === 0) return;
    const heads = [...this.unsigned];
    const payload = heads.map(([tenantId, head]) => ({
      tenant_id: tenantId,
      seq: head.seq,
      hash: head.hash.toString("hex"),
      mac: this.keys.signCheckpoint(tenantId, head.seq, head.hash).toString("hex"),
      key_id: this.keys.keyId,
    }));
    try {
      await this.db.query("SELECT search.record_audit_checkpoints($1::jsonb)", [
        JSON.stringify(payload),
      ]);
      for (const [tenantId, head] of heads) {
        if (this.unsigned.get(tenantId)?.seq === head.seq) this.unsigned.delete(tenantId);
      }
    } catch (err) {
      this.events.onError(err, "checkpoint");
    }
  }
}

function refusal(cause: unknown): AppError {
  return AppError.unavailable(
    "The audit trail cannot be written, so the request was not served; try again shortly.",
    cause,
  );
}
