/**
 * Entry point: `node dist/src/migrate.js`. Applies pending migrations as the database owner
 * (a one-off Kubernetes Job in deployments; PGUSER defaults to "postgres" locally). Creates the
 * database first when it does not exist (local runs; on Aurora, Terraform creates it). Then
 * maintains the audit partitions: creates those ahead, drops those past the retention.
 */
import { Client, type ClientConfig } from "pg";
import { InvalidSettingsError } from "./config";
import { loadConfig } from "./config/load";
import { sslOptions } from "./adapters/postgres/database";
import { migrate } from "./adapters/postgres/migrations";
import { runAuditMaintenance } from "./governance/audit-maintenance";

async function main(): Promise<void> {
  const { settings, endpoints } = loadConfig(process.env, {
    defaultUser: "postgres",
    uses: { postgres: true, redis: false },
    usesAuditKey: false,
  });
  const connection = {
    ...endpoints.postgresWriter,
    ssl: sslOptions(settings.postgres.sslMode, endpoints.sslRootCertPath),
    connectionTimeoutMillis: settings.postgres.connectionTimeoutMs,
    // Also bounds the wait for another runner's lock.
    statement_timeout: settings.postgres.statementTimeoutMs,
  };
  await ensureDatabase(connection);
  const client = new Client({ ...connection, application_name: "search-migrate" });
  await client.connect();
  try {
    const result = await migrate(client, undefined, (m) => log({ msg: m }));
    log({ msg: "migrations done", applied: result.applied, version: result.version });
    const audit = await runAuditMaintenance(
      { query: async (sql, params) => (await client.query(sql, params as unknown[])).rows },
      settings.governance.audit,
    );
    log({ msg: "audit partitions maintained", ...audit });
  } finally {
    await client.end();
  }
}

async function ensureDatabase(target: ClientConfig & { database: string }): Promise<void> {
  const admin = new Client({ ...target, database: "postgres" });
  try {
    await admin.connect();
  } catch {
    return; // no maintenance database to ask: the target must exist already
  }
  try {
    const { rows } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [
      target.database,
    ]);
    if (rows.length === 0) {
      await admin.query(`CREATE DATABASE ${quoteIdent(target.database)}`);
      log({ msg: "created database", database: target.database });
    }
  } finally {
    await admin.end();
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function log(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);
}

main().catch((err: unknown) => {
  if (err instanceof InvalidSettingsError) process.stderr.write(`${err.message}\n`);
  else process.stderr.write(`migration failed: ${(err as Error).message}\n`);
  process.exit(1);
});
