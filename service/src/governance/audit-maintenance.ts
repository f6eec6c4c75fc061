/**
 * The audit table's time partitions: created ahead of time, dropped after the retention.
 *
 * Who runs what:
 * - the service, at start-up and every hour: `createAuditPartitions` (search_app may only
 *   create partitions, through a SECURITY DEFINER function; it can never drop audit data);
 * - the migration Job after migrating, and `node dist/src/admin.js audit-maintenance` (run it
 *   daily, e.g. from a CronJob): both, as the table owner. Partitions are dropped only when every
 *   record in them is older than `governance.audit.retentionInDays`, which the settings never
 *   let fall below the compliance preset's minimum.
 */
import type { Queryable } from "../adapters/postgres/database";
import type { ServiceSettings } from "../config/settings";

type AuditSettings = ServiceSettings["governance"]["audit"];

/** Creates the current and the next `partitionsAhead` partitions that are missing. */
export async function createAuditPartitions(
  db: Queryable,
  audit: AuditSettings,
): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    "SELECT search.audit_create_partitions($1, $2) AS name",
    [audit.partitionInterval, audit.partitionsAhead],
  );
  return rows.map((r) => r.name);
}

/** Drops the partitions whose records are all past the retention (owner only). */
export async function dropExpiredAuditPartitions(
  db: Queryable,
  audit: AuditSettings,
): Promise<string[]> {
  const rows = await db.query<{ name: string }>("SELECT search.audit_drop_expired($1) AS name", [
    audit.retentionInDays,
  ]);
  return rows.map((r) => r.name);
}

/** Both, as the migration Job and the admin CLI run them. */
export async function runAuditMaintenance(
  db: Queryable,
  audit: AuditSettings,
): Promise<{ created: string[]; dropped: string[] }> {
  const created = await createAuditPartitions(db, audit);
  const dropped = await dropExpiredAuditPartitions(db, audit);
  return { created, dropped };
}
