/**
 * A small migration runner: versioned SQL files, each applied once in its own transaction, under
 * a session advisory lock so two runners (two Job pods, a Job and a developer) cannot interleave.
 *
 * Why not node-pg-migrate: its current major is ESM-only (and brings yargs, glob and jiti into
 * the production image), while this service is CommonJS and its tests run through SWC as
 * CommonJS. The runner needs little: ordered files, a lock, a ledger with checksums.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ClientBase } from "pg";

/** One SQL file of `migrations/`, named `NNNN_description.sql`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** SHA-256 of the file: an applied migration must never change. */
  readonly checksum: string;
}

export interface MigrationResult {
  readonly applied: readonly string[];
  readonly version: number;
}

/** The ledger; the service reads it at start-up to refuse an outdated schema. */
export const MIGRATIONS_TABLE = "public.schema_migrations";

// Any constant works, as long as every runner uses the same one: advisory locks are per database.
const LOCK_KEY = "search-platform:migrations";

/** The `migrations/` folder of the package, from source (tests) or compiled code (dist/). */
export function findMigrationsDir(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "migrations");
    if (existsSync(path.join(dir, "package.json")) && existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no migrations folder above ${from}`);
  }
}

export function loadMigrations(dir: string = findMigrationsDir()): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((file) => {
      const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!m) throw new Error(`migration file ${file} must be named NNNN_description.sql`);
      const sql = readFileSync(path.join(dir, file), "utf8");
      return {
        version: Number(m[1]),
        name: file,
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(
        `migration versions must run 1, 2, 3, ... without gaps; ${m.name} is #${i + 1}`,
      );
    }
  });
  return migrations;
}

/** The newest version among the files: what the running code expects of the schema. */
export function latestVersion(migrations: readonly Migration[] = loadMigrations()): number {
  return migrations.length === 0 ? 0 : migrations[migrations.length - 1].version;
}

/**
 * Applies every pending migration. Safe to run concurrently and repeatedly: the second runner
 * waits for the lock, then finds nothing to do.
 *
 * @throws when an applied migration's file has changed since, or a migration fails (that
 *         migration's transaction is rolled back; the ones before it stay applied).
 */
export async function migrate(
  client: ClientBase,
  migrations: readonly Migration[] = loadMigrations(),
  log: (message: string) => void = () => {},
): Promise<MigrationResult> {
  await client.query("SELECT pg_advisory_lock(hashtext($1))", [LOCK_KEY]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      `SELECT version, name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY version`,
    );
    const done = new Map(rows.map((r) => [r.version, r]));
    for (const row of rows) {
      const file = migrations.find((m) => m.version === row.version);
      if (!file) {
        throw new Error(`the database has migration ${row.name}, which this build does not know`);
      }
      if (file.checksum !== row.checksum) {
        throw new Error(`migration ${row.name} has changed since it was applied; add a new one`);
      }
    }
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      log(`applying ${m.name}`);
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO ${MIGRATIONS_TABLE} (version, name, checksum) VALUES ($1, $2, $3)`,
          [m.version, m.name, m.checksum],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.name);
    }
    return { applied, version: latestVersion(migrations) };
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext($1))", [LOCK_KEY]);
  }
}
