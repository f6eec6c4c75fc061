import { Client } from "pg";
import { latestVersion, loadMigrations, migrate } from "../../src/adapters/postgres/migrations";
import { createDatabase, dropDatabase, PG } from "../support/environment";

async function withDatabase<T>(work: (database: string) => Promise<T>): Promise<T> {
  const admin = new Client({ ...PG, database: "postgres" });
  await admin.connect();
  const database = `search_test_mig_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  try {
    return await work(database);
  } finally {
    await dropDatabase(database);
  }
}

async function connect(database: string): Promise<Client> {
  const client = new Client({ ...PG, database });
  await client.connect();
  return client;
}

describe("migrations", () => {
  it("apply once; a second run finds nothing to do", async () => {
    const database = await createDatabase("search_test_mig");
    const client = await connect(database);
    try {
      const again = await migrate(client);
      const { rows } = await client.query("SELECT version, name FROM public.schema_migrations");
      expect(again).toEqual({ applied: [], version: latestVersion() });
      expect(rows).toEqual(loadMigrations().map((m) => ({ version: m.version, name: m.name })));
    } finally {
      await client.end();
      await dropDatabase(database);
    }
  });

  it("apply each migration exactly once when two runners start together", async () => {
    await withDatabase(async (database) => {
      const [one, two] = [await connect(database), await connect(database)];
      try {
        const results = await Promise.all([migrate(one), migrate(two)]);
        const applied = results.flatMap((r) => r.applied);
        expect(applied.sort()).toEqual(loadMigrations().map((m) => m.name));
      } finally {
        await Promise.all([one.end(), two.end()]);
      }
    });
  });

  it("refuse to run when an applied migration has been edited since", async () => {
    const database = await createDatabase("search_test_mig");
    const client = await connect(database);
    try {
      const edited = loadMigrations().map((m, i) =>
        i === 0 ? { ...m, checksum: "0".repeat(64) } : m,
      );
      await expect(migrate(client, edited)).rejects.toThrow(
        "migration 0001_initial.sql has changed since it was applied; add a new one",
      );
    } finally {
      await client.end();
      await dropDatabase(database);
    }
  });

  it("roll a failing migration back and leave the ledger as it was", async () => {
    await withDatabase(async (database) => {
      const client = await connect(database);
      try {
        const broken = [
          ...loadMigrations(),
          {
            version: 99,
            name: "0099_broken.sql",
            sql: "CREATE TABLE half_done (id int); SELECT 1/0;",
            checksum: "x",
          },
        ];
        await expect(migrate(client, broken)).rejects.toThrow(
          "migration 0099_broken.sql failed: division by zero",
        );
        const { rows } = await client.query(
          "SELECT to_regclass('public.half_done') IS NULL AS rolled_back, max(version) AS version FROM public.schema_migrations",
        );
        expect(rows).toEqual([{ rolled_back: true, version: latestVersion() }]);
      } finally {
        await client.end();
      }
    });
  });
});
