/**
 * Deadlines and retries against the real PostgreSQL: a statement stuck on a lock is stopped by
 * statement_timeout, an answer that never comes back by the client-side deadline, and only a
 * transient failure of an idempotent write is tried again.
 */
import type { Client } from "pg";
import { doc, TestEnvironment, type TestServer } from "../support/environment";
import { eventually, FaultProxy, metric } from "./faults";

// Breakers open and close on real time: allow for a loaded machine.
jest.setTimeout(30_000);

const env = new TestEnvironment();
const proxies: FaultProxy[] = [];
let owner: Client;

beforeAll(async () => {
  await env.setUp();
  owner = await env.connectAs("postgres");
});
afterAll(async () => {
  await owner.end();
  // Proxies first: a pool still waiting for a held-back answer would hold up the shutdown.
  await Promise.all(proxies.map((p) => p.stop()));
  await env.tearDown();
});

async function proxy(): Promise<FaultProxy> {
  const p = await FaultProxy.start();
  proxies.push(p);
  return p;
}

const deadlines = {
  postgres: { statementTimeoutMs: 300, readYourWritesMs: 1 },
  resilience: {
    postgresWriter: {
      timeoutMs: 1_000,
      retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 10 },
    },
    postgresReader: { timeoutMs: 1_000 },
  },
};

const retries = (server: TestServer, dependency: string) =>
  metric(server, "dependency_retries_total", { dependency });

describe("deadlines", () => {
  it("stops a write stuck behind a lock at statement_timeout: 503 timeout, not retried, nothing written", async () => {
    const server = await env.startServer({ settings: deadlines });
    const { tenantId, adminKey: key } = await env.createTenant();
    await server.post("/v1/documents", doc("t1", "Draft", "first draft"), key);
    await owner.query("BEGIN");
    await owner.query(
      "SELECT 1 FROM search.documents WHERE tenant_id = $1 AND external_id = 't1' FOR UPDATE",
      [tenantId],
    );
    const retriesBefore = await retries(server, "postgres_writer");

    let stuck;
    try {
      stuck = await server.post("/v1/documents", doc("t1", "Draft", "second draft"), key);
    } finally {
      await owner.query("ROLLBACK");
    }
    const after = await server.get("/v1/search?q=draft", key);

    expect(stuck.status).toBe(503);
    expect(stuck.headers.get("retry-after")).toBe("2");
    // The database's deadline answered, not the whole-request deadline ("The request took…").
    expect(stuck.body.error).toMatchObject({
      code: "timeout",
      message: "The database took too long to answer; try again.",
    });
    expect(await retries(server, "postgres_writer")).toBe(retriesBefore);
    expect(after.body.results[0].snippet).toContain("first");
  });

  it("gives up on a read whose answer does not come back at the client-side deadline", async () => {
    const slow = await proxy();
    const server = await env.startServer({
      settings: deadlines,
      endpoints: { postgresReader: { ...env.config().endpoints.postgresWriter, ...slow.endpoint } },
    });
    const { adminKey: key } = await env.createTenant();
    const written = await server.post("/v1/documents", doc("s1", "Slow", "slow answer"), key);
    slow.delayAnswers(3_000);

    const res = await server.get("/v1/search?q=slow", key);
    slow.delayAnswers(0);

    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(res.body.error.code).toBe("timeout");
    expect(res.body.error.message).not.toContain("request");
    expect(
      await metric(server, "dependency_rejections_total", {
        dependency: "postgres_reader",
        reason: "timeout",
      }),
    ).toBe(1);
    const read = await eventually(async () => {
      const again = await server.get(`/v1/documents/${written.body.id}`, key);
      expect(again.status).toBe(200);
      return again;
    });
    expect(read.body.externalId).toBe("s1");
  });
});

describe("retries", () => {
  it("writes an upsert whose connection died at COMMIT on the second attempt, once", async () => {
    const writer = await proxy();
    const server = await env.startServer({
      settings: deadlines,
      endpoints: {
        postgresWriter: { ...env.config().endpoints.postgresWriter, ...writer.endpoint },
      },
    });
    const { adminKey: key } = await env.createTenant();
    await server.post("/v1/documents", doc("u0", "Warm", "warm up"), key);
    const retriesBefore = await retries(server, "postgres_writer");
    const commitsBefore = writer.commits;

    writer.cutNextCommits(1);
    const written = await server.post("/v1/documents", doc("u1", "Retry", "retried write"), key);
    const read = await server.get(`/v1/documents/${written.body.id}`, key);

    expect(writer.cuts).toBe(1);
    expect(writer.commits).toBe(commitsBefore + 1);
    expect(await retries(server, "postgres_writer")).toBe(retriesBefore + 1);
    expect(written.status).toBe(201);
    expect([read.status, read.body.version, read.body.body]).toEqual([200, 1, "retried write"]);
  });

  it("does not retry a delete whose connection died at COMMIT: 503, and the document is still there", async () => {
    const writer = await proxy();
    const server = await env.startServer({
      settings: deadlines,
      endpoints: {
        postgresWriter: { ...env.config().endpoints.postgresWriter, ...writer.endpoint },
      },
    });
    const { adminKey: key } = await env.createTenant();
    const created = await server.post("/v1/documents", doc("d1", "Keep", "kept"), key);
    const retriesBefore = await retries(server, "postgres_writer");

    writer.cutNextCommits(1);
    const failed = await server.delete(`/v1/documents/${created.body.id}`, key);
    const stillThere = await server.get(`/v1/documents/${created.body.id}`, key);
    const deleted = await server.delete(`/v1/documents/${created.body.id}`, key);

    expect(writer.cuts).toBe(1);
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe("dependency_unavailable");
    expect(await retries(server, "postgres_writer")).toBe(retriesBefore);
    expect(stillThere.status).toBe(200);
    expect(deleted.status).toBe(204);
  });
});
