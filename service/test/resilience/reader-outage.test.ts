/**
 * The reader endpoint unreachable (behind a proxy the test stops), the writer fine: reads are
 * served by the writer and say so, the reader's breaker opens, the pod stays ready, and the
 * reader takes its reads back once it answers again.
 */
import { doc, TestEnvironment, type TestServer } from "../support/environment";
import { eventually, FaultProxy, metric } from "./faults";

// Breakers open and close on real time: allow for a loaded machine.
jest.setTimeout(30_000);

const env = new TestEnvironment();
let reader: FaultProxy;
let server: TestServer;

beforeAll(async () => {
  await env.setUp();
  reader = await FaultProxy.start();
  server = await env.startServer({
    endpoints: {
      postgresReader: { ...env.config().endpoints.postgresWriter, ...reader.endpoint },
    },
    settings: {
      // Reads go to the reader at once after a write (no read-your-writes window to wait out).
      postgres: { readYourWritesMs: 1, connectionTimeoutMs: 1_000 },
      resilience: {
        postgresReader: {
          timeoutMs: 6_000,
          breaker: { consecutiveFailures: 3, openStateMs: 1_000, halfOpenSuccessesToClose: 2 },
        },
      },
    },
  });
});
afterAll(async () => {
  await env.tearDown();
  await reader.stop();
});

describe("when the reader cannot be reached", () => {
  it("serves reads from the writer with X-Degraded: reader-fallback, and gives them back once the reader answers", async () => {
    const { adminKey: key } = await env.createTenant();
    const created = await server.post("/v1/documents", doc("f1", "Atlas", "atlas of maps"), key);
    const connectionsBefore = reader.connections;
    const viaReader = await server.get(`/v1/documents/${created.body.id}`, key);

    await reader.stop();

    const byId = await server.get(`/v1/documents/${created.body.id}`, key);
    const search = await server.get("/v1/search?q=maps", key);
    await eventually(async () => {
      await server.get(`/v1/documents/${created.body.id}`, key);
      expect(await metric(server, "circuit_breaker_state", { dependency: "postgres_reader" })).toBe(
        2,
      );
    });
    const whileOpen = await server.get(`/v1/documents/${created.body.id}`, key);
    const ready = await server.get("/health/ready");

    expect(reader.connections).toBeGreaterThan(connectionsBefore);
    expect(viaReader.headers.get("x-degraded")).toBeNull();
    for (const res of [byId, search, whileOpen]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("x-degraded")).toBe("reader-fallback");
    }
    expect(byId.body.externalId).toBe("f1");
    expect(search.body.total).toBe(1);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: "degraded",
      dependencies: {
        postgres_reader: { up: false, breaker: "open" },
        postgres_writer: { up: true, breaker: "closed" },
      },
    });
    expect(
      await metric(server, "dependency_fallbacks_total", { kind: "reader-fallback" }),
    ).toBeGreaterThanOrEqual(4);

    await reader.start();

    await eventually(async () => {
      const res = await server.get(`/v1/documents/${created.body.id}`, key);
      expect(res.headers.get("x-degraded")).toBeNull();
      expect(await metric(server, "circuit_breaker_state", { dependency: "postgres_reader" })).toBe(
        0,
      );
    });
    const back = await server.get(`/v1/documents/${created.body.id}`, key);
    expect([back.status, back.body.externalId]).toEqual([200, "f1"]);
    expect((await server.get("/health/ready")).body.status).toBe("ok");
  });
});
