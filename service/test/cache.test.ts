import { Redis } from "ioredis";
import {
  createDatabase,
  doc,
  dropDatabase,
  REDIS_URL,
  TestEnvironment,
  type TestServer,
} from "./support/environment";

const env = new TestEnvironment();
let server: TestServer;
let laggingReaderDb: string;
let redis: Redis;

beforeAll(async () => {
  await env.setUp();
  server = await env.startServer();
  // A "replica" that never receives a write: reads served by it show what a lagging reader would.
  laggingReaderDb = await createDatabase("search_test_reader");
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  redis.disconnect();
  await env.tearDown();
  await dropDatabase(laggingReaderDb);
});

const searchFor = (s: TestServer, key: string, q: string) =>
  s.get(`/v1/search?${new URLSearchParams({ q })}`, key);

describe("search cache", () => {
  it("answers a repeated search from the cache with the same bytes", async () => {
    const { adminKey: key } = await env.createTenant();
    await server.post("/v1/documents", doc("c1", "Caching", "cached words"), key);

    const first = await searchFor(server, key, "cached");
    const second = await searchFor(server, key, "cached");

    expect(first.headers.get("x-cache")).toBe("miss");
    expect(second.headers.get("x-cache")).toBe("hit");
    expect(second.text).toBe(first.text);
    const metrics = (await server.get("/metrics")).text;
    expect(metrics).toMatch(/^search_cache_requests_total\{result="hit"\} [1-9]/m);
  });

  it.each([
    [
      "a single write",
      async (key: string) => {
        await server.post("/v1/documents", doc("w-new", "Invalidation", "fresh invalidation"), key);
      },
    ],
    [
      "a bulk write",
      async (key: string) => {
        await server.post(
          "/v1/documents/bulk",
          { documents: [doc("w-new", "Invalidation", "fresh invalidation")] },
          key,
        );
      },
    ],
  ])("shows the result of %s in the very next search", async (_name, write) => {
    const { adminKey: key } = await env.createTenant();
    await server.post("/v1/documents", doc("w-old", "Invalidation", "old invalidation"), key);
    await searchFor(server, key, "invalidation");
    expect((await searchFor(server, key, "invalidation")).headers.get("x-cache")).toBe("hit");

    await write(key);
    const after = await searchFor(server, key, "invalidation");

    expect(after.headers.get("x-cache")).toBe("miss");
    expect(after.body.total).toBe(2);
  });

  it("drops a deleted document from the very next search", async () => {
    const { adminKey: key } = await env.createTenant();
    const created = await server.post(
      "/v1/documents",
      doc("d1", "Ephemeral", "ephemeral note"),
      key,
    );
    expect((await searchFor(server, key, "ephemeral")).body.total).toBe(1);

    await server.delete(`/v1/documents/${created.body.id}`, key);

    expect((await searchFor(server, key, "ephemeral")).body.total).toBe(0);
  });

  it("keeps one tenant's cached searches when another tenant writes", async () => {
    const a = await env.createTenant();
    const b = await env.createTenant();
    await server.post("/v1/documents", doc("k1", "Kept", "kept entries"), a.adminKey);
    await searchFor(server, a.adminKey, "kept");

    await server.post("/v1/documents", doc("k1", "Kept", "kept entries"), b.adminKey);

    expect((await searchFor(server, a.adminKey, "kept")).headers.get("x-cache")).toBe("hit");
  });

  it("keeps cached searches when a write changes nothing", async () => {
    const { adminKey: key } = await env.createTenant();
    const same = doc("n1", "Noop", "noop content");
    await server.post("/v1/documents", same, key);
    await searchFor(server, key, "noop");

    await server.post("/v1/documents", same, key);

    expect((await searchFor(server, key, "noop")).headers.get("x-cache")).toBe("hit");
  });
});

describe("read-your-writes", () => {
  it("reads a tenant's own write back from the writer while the reader lags, and the reader afterwards", async () => {
    const lagging = await env.startServer({
      endpoints: {
        postgresReader: { ...env.config().endpoints.postgresWriter, database: laggingReaderDb },
      },
    });
    const { tenantId, adminKey: key } = await env.createTenant();

    const created = await lagging.post(
      "/v1/documents",
      doc("ryw", "Own write", "visible immediately"),
      key,
    );
    const readBack = await lagging.get(`/v1/documents/${created.body.id}`, key);
    const searched = await searchFor(lagging, key, "visible");

    expect(readBack.status).toBe(200);
    expect(searched.body.total).toBe(1);

    // The window ends (as if readYourWritesMs had passed): reads go back to the reader.
    await redis.del(`${env.redisPrefix}{t:${tenantId}}:rw`);
    expect((await lagging.get(`/v1/documents/${created.body.id}`, key)).status).toBe(404);
  });
});

describe("when Redis is unreachable", () => {
  it("still authenticates, writes, searches from PostgreSQL and limits rates in memory", async () => {
    const { adminKey: key } = await env.createTenant("free");
    const degraded = await env.startServer({
      endpoints: { redisUrl: "redis://127.0.0.1:1" },
      settings: { redis: { connectTimeoutMs: 200 } },
    });

    const written = await degraded.post(
      "/v1/documents",
      doc("r1", "No cache", "uncached words"),
      key,
    );
    const first = await searchFor(degraded, key, "uncached");
    const second = await searchFor(degraded, key, "uncached");

    expect(written.status).toBe(201);
    expect(first.body.total).toBe(1);
    expect(second.headers.get("x-cache")).toBe("miss");
    expect(second.headers.get("ratelimit-limit")).toBe("10");
    expect(second.headers.get("ratelimit-remaining")).toBe("8");
  });
});
