/** Helpers of the governance tests: audit rows as stored, metrics, waiting for a condition. */
import type { Client } from "pg";
import type { TestServer } from "../support/environment";

export interface AuditRow {
  id: string;
  tenant_id: string;
  seq: string;
  request_id: string;
  key_id: string | null;
  role: string | null;
  action: string;
  resource: string | null;
  outcome: string;
  status: number;
  result_count: number | null;
  classifications: string[];
  masked_classifications: string[];
  query_digest: string | null;
  query_text: string | null;
  details: Record<string, unknown> | null;
}

/** A tenant's audit records in chain order, read as the owner (no row-level security). */
export async function auditRows(owner: Client, tenantId: string): Promise<AuditRow[]> {
  const { rows } = await owner.query<AuditRow>(
    "SELECT * FROM search.audit_log WHERE tenant_id = $1 ORDER BY seq",
    [tenantId],
  );
  return rows;
}

/** The records of one request (by its x-request-id). */
export async function auditRowsOf(owner: Client, requestId: string): Promise<AuditRow[]> {
  const { rows } = await owner.query<AuditRow>(
    "SELECT * FROM search.audit_log WHERE request_id = $1 ORDER BY occurred_at, seq",
    [requestId],
  );
  return rows;
}

/** A counter or gauge from /metrics (0 when absent). */
export async function metric(
  server: TestServer,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = (await server.get("/metrics")).text;
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? "").split(",");
    if (want.every((w) => have.includes(w))) return Number(match[3]);
  }
  return 0;
}

/** Polls `check` until it returns true; fails after `timeoutMs` (a bound, not a measurement). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `work` with triggers off: how a table owner (superuser) could tamper with the trail. */
export async function asTamperingOwner<T>(owner: Client, work: () => Promise<T>): Promise<T> {
  await owner.query("SET session_replication_role = replica");
  try {
    return await work();
  } finally {
    await owner.query("SET session_replication_role = DEFAULT");
  }
}
