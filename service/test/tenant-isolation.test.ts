import type { Client } from "pg";
import { doc, TestEnvironment, type TestServer } from "./support/environment";

const env = new TestEnvironment();
let server: TestServer;
let app: Client;

beforeAll(async () => {
  await env.setUp();
  server = await env.startServer();
  app = await env.connectAs("search_app");
});
afterAll(async () => {
  await app.end();
  await env.tearDown();
});

/** Two tenants, each with one document about the same thing. */
async function twoTenants() {
  const a = await env.createTenant();
  const b = await env.createTenant();
  const docA = await server.post(
    "/v1/documents",
    doc("shared-ext-id", "Secret plans", "alpha plans of tenant A"),
    a.adminKey,
  );
  const docB = await server.post(
    "/v1/documents",
    doc("shared-ext-id", "Secret plans", "beta plans of tenant B"),
    b.adminKey,
  );
  return { a, b, idA: docA.body.id as string, idB: docB.body.id as string };
}

async function inTenant<T>(tenantId: string | null, work: () => Promise<T>): Promise<T> {
  await app.query("BEGIN");
  try {
    if (tenantId) await app.query("SELECT set_config('app.tenant_id', $1, true)", [tenantId]);
    return await work();
  } finally {
    await app.query("ROLLBACK");
  }
}

describe("tenant isolation", () => {
  it("keeps each tenant's documents, searches and ids to itself through the API", async () => {
    const { a, b, idA, idB } = await twoTenants();

    const searchA = await server.get("/v1/search?q=plans", a.adminKey);
    expect(searchA.body.results.map((r: { id: string }) => r.id)).toEqual([idA]);
    expect((await server.get(`/v1/documents/${idB}`, a.adminKey)).status).toBe(404);
    expect((await server.delete(`/v1/documents/${idB}`, a.adminKey)).status).toBe(404);
    expect((await server.get(`/v1/documents/${idB}`, b.adminKey)).status).toBe(200);
  });

  it("lets row-level security alone hide another tenant's rows from a query without a tenant filter", async () => {
    const { a, idA, idB } = await twoTenants();

    const rows = await inTenant(
      a.tenantId,
      async () =>
        (
          await app.query("SELECT id FROM search.documents WHERE id = ANY($1::uuid[])", [
            [idA, idB],
          ])
        ).rows,
    );
    const tenants = await inTenant(
      a.tenantId,
      async () => (await app.query("SELECT id FROM search.tenants")).rows,
    );
    const noTenant = await inTenant(
      null,
      async () => (await app.query("SELECT count(*)::int AS n FROM search.documents")).rows,
    );

    expect(rows).toEqual([{ id: idA }]);
    expect(tenants).toEqual([{ id: a.tenantId }]);
    expect(noTenant).toEqual([{ n: 0 }]);
  });

  it("refuses writes into another tenant's rows even when the statement names them", async () => {
    const { a, b, idB } = await twoTenants();

    const updated = await inTenant(
      a.tenantId,
      async () =>
        (await app.query("UPDATE search.documents SET title = 'pwned' WHERE id = $1", [idB]))
          .rowCount,
    );
    const insert = inTenant(a.tenantId, () =>
      app.query(
        "INSERT INTO search.documents (tenant_id, external_id, title, body) VALUES ($1, 'x', 't', 'b')",
        [b.tenantId],
      ),
    );

    expect(updated).toBe(0);
    await expect(insert).rejects.toThrow(
      'new row violates row-level security policy for table "documents"',
    );
  });

  it("keeps the search function to the tenant of the transaction, and refuses without one", async () => {
    const { a, idA } = await twoTenants();
    const call =
      "SELECT id FROM search.search_documents('plans', 'websearch', 10, NULL, NULL, NULL, NULL)";

    const rows = await inTenant(a.tenantId, async () => (await app.query(call)).rows);
    const fuzzy = await inTenant(
      a.tenantId,
      async () =>
        (
          await app.query(
            "SELECT id FROM search.fuzzy_search_documents('secret plans', 10, NULL, NULL, NULL, NULL)",
          )
        ).rows,
    );

    expect(rows).toEqual([{ id: idA }]);
    expect(fuzzy).toEqual([{ id: idA }]);
    await expect(inTenant(null, () => app.query(call))).rejects.toThrow(
      "no tenant in this transaction",
    );
  });

  it("connects the service as a role that owns no table and cannot bypass row-level security", async () => {
    const { rows } = await app.query(
      `SELECT r.rolsuper, r.rolbypassrls,
              (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'search' AND tableowner = current_user) AS owned,
              (SELECT bool_and(relforcerowsecurity AND relrowsecurity) FROM pg_class
                WHERE relnamespace = 'search'::regnamespace AND relname IN ('tenants', 'api_keys', 'documents')) AS forced
       FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false, owned: 0, forced: true }]);
  });
});
