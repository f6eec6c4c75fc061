/**
 * PostgreSQL unreachable (both endpoints behind one proxy the test stops): a search answered
 * before is served stale, anything else is 503 with Retry-After, writes are refused whole, the
 * pod reports not ready; and once PostgreSQL is back, every acknowledged write is there.
 */
import { doc, TestEnvironment, type TestServer } from "../support/environment";
import { eventually, FaultProxy, metric } from "./faults";

// Breakers open and close on real time: allow for a loaded machine.
jest.setTimeout(30_000);

const env = new TestEnvironment();
let proxy: FaultProxy;
let server: TestServer;

const breaker = {
  consecutiveFailures: 3,
  minimumCalls: 5,
  openStateMs: 1_000,
  halfOpenMaxProbes: 2,
  halfOpenSuccessesToClose: 2,
};
const policy = {
  timeoutMs: 6_000,
  breaker,
  retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
};

beforeAll(async () => {
  await env.setUp();
  proxy = await FaultProxy.start();
  const endpoint = { ...env.config().endpoints.postgresWriter, ...proxy.endpoint };
  server = await env.startServer({
    endpoints: { postgresWriter: endpoint, postgresReader: endpoint },
    settings: {
      postgres: { connectionTimeoutMs: 1_000 },
      resilience: { postgresWriter: policy, postgresReader: policy },
    },
  });
});
afterAll(async () => {
  await env.tearDown();
  await proxy.stop();
});

const searchFor = (key: string, q: string) =>
  server.get(`/v1/search?${new URLSearchParams({ q })}`, key);

describe("when PostgreSQL cannot be reached", () => {
  it("serves answered searches stale, refuses the rest with 503 and Retry-After, and loses no acknowledged write", async () => {
    const { adminKey: key } = await env.createTenant();
    const first = await server.post("/v1/documents", doc("p1", "Harbour", "harbour lights"), key);
    await searchFor(key, "harbour"); // answered once: its stale copy is kept
    // A later write: the generation moves on, so the fresh cache entry is out of reach.
    const second = await server.post("/v1/documents", doc("p2", "Harbour", "harbour walls"), key);

    await proxy.stop();

    const stale = await searchFor(key, "harbour");
    const uncached = await searchFor(key, "lighthouse");
    const write = await server.post("/v1/documents", doc("p3", "Beacon", "beacon fire"), key);
    const bulk = await server.post(
      "/v1/documents/bulk",
      { documents: [doc("p4", "Beacon", "beacon tower"), doc("p5", "Beacon", "beacon hill")] },
      key,
    );
    const ready = await eventually(async () => {
      const res = await server.get("/health/ready");
      expect(res.status).toBe(503);
      return res;
    });
    await eventually(async () => {
      await searchFor(key, "lighthouse");
      expect(await metric(server, "circuit_breaker_state", { dependency: "postgres_writer" })).toBe(
        2,
      );
    });
    const whileOpen = await server.post("/v1/documents", doc("p6", "Beacon", "beacon"), key);

    expect(stale.status).toBe(200);
    expect(stale.headers.get("x-cache")).toBe("stale");
    expect(stale.headers.get("x-degraded")).toContain("stale");
    expect(stale.body.meta).toEqual({ stale: true, storedAt: expect.any(String) });
    // The answer as it was before the second write: marked stale, not silently outdated.
    expect(stale.body.results.map((r: { externalId: string }) => r.externalId)).toEqual(["p1"]);
    for (const refused of [uncached, write, bulk, whileOpen]) {
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(["dependency_unavailable", "timeout"]).toContain(refused.body.error.code);
      expect(refused.text).not.toMatch(/ECONNREFUSED|connect|127\.0\.0\.1/);
    }
    expect(whileOpen.body.error).toMatchObject({
      code: "dependency_unavailable",
      message: "The writer database is unavailable; try again shortly.",
    });
    expect(ready.body).toMatchObject({
      status: "unavailable",
      dependencies: {
        postgres_writer: { up: false },
        postgres_reader: { up: false },
        redis: { up: true, breaker: "closed" },
      },
    });
    expect(await metric(server, "dependency_fallbacks_total", { kind: "stale" })).toBe(1);

    await proxy.start();

    const third = await eventually(async () => {
      const res = await server.post("/v1/documents", doc("p7", "Beacon", "beacon light"), key);
      expect(res.status).toBe(201);
      return res;
    });
    await eventually(async () => {
      await searchFor(key, "harbour");
      expect(await metric(server, "circuit_breaker_state", { dependency: "postgres_writer" })).toBe(
        0,
      );
      expect((await server.get("/health/ready")).body.status).toBe("ok");
    });
    // Every acknowledged write is there; nothing refused was half-written.
    for (const created of [first, second, third]) {
      const read = await server.get(`/v1/documents/${created.body.id}`, key);
      expect([read.status, read.body.externalId]).toEqual([200, created.body.externalId]);
    }
    const beacons = await searchFor(key, "beacon");
    expect(beacons.body.results.map((r: { externalId: string }) => r.externalId)).toEqual(["p7"]);
    const fresh = await searchFor(key, "harbour");
    expect([fresh.body.total, fresh.body.meta]).toEqual([2, undefined]);
  });

  it("does not serve a stale copy from before a delete", async () => {
    const { adminKey: key } = await env.createTenant();
    const gone = await server.post("/v1/documents", doc("d1", "Secret", "classified memo"), key);
    await searchFor(key, "memo");
    const deleted = await server.delete(`/v1/documents/${gone.body.id}`, key);

    await proxy.stop();
    const afterDelete = await searchFor(key, "memo");
    await proxy.start();

    expect(deleted.status).toBe(204);
    expect(afterDelete.status).toBe(503);
    expect(afterDelete.text).not.toContain("classified");
  });
});
