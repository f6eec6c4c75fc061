/**
 * Redis stops mid-run (a private redis-server, killed and started again; or frozen): search
 * keeps answering from PostgreSQL, the breaker opens and spares every later request the Redis
 * call, and closes through its half-open probes once Redis is back.
 */
import { doc, TestEnvironment, type TestServer } from "../support/environment";
import { eventually, metric, PrivateRedis } from "./faults";

// Breakers open and close on real time: allow for a loaded machine.
jest.setTimeout(30_000);

const env = new TestEnvironment();
let redis: PrivateRedis;

beforeAll(async () => {
  await env.setUp();
  redis = await PrivateRedis.start();
});
afterAll(async () => {
  await env.tearDown();
  await redis.kill();
});

const redisBreaker = {
  consecutiveFailures: 3,
  minimumCalls: 5,
  // Long enough that the checks made while it is open finish before it probes, even on a
  // loaded machine (each test asserts it was still open after them).
  openStateMs: 4_000,
  halfOpenMaxProbes: 2,
  halfOpenSuccessesToClose: 2,
};

async function startServer(): Promise<TestServer> {
  return env.startServer({
    endpoints: { redisUrl: redis.url },
    settings: {
      redis: { connectTimeoutMs: 200 },
      resilience: {
        redis: { timeoutMs: 200, breaker: { ...redisBreaker, slowCallDurationMs: 150 } },
      },
    },
  });
}

const searchFor = (server: TestServer, key: string, q: string) =>
  server.get(`/v1/search?${new URLSearchParams({ q })}`, key);

/** Calls the breaker let through to Redis, and calls it failed or abandoned. */
async function redisCalls(server: TestServer) {
  const [failed, timedOut, shortCircuited] = await Promise.all([
    metric(server, "dependency_calls_total", { dependency: "redis", outcome: "failed" }),
    metric(server, "dependency_rejections_total", { dependency: "redis", reason: "timeout" }),
    metric(server, "dependency_rejections_total", { dependency: "redis", reason: "breaker_open" }),
  ]);
  return { failed, timedOut, shortCircuited };
}

describe("when Redis stops mid-run", () => {
  it("search still answers from PostgreSQL, the breaker opens and spares later requests, and closes once Redis is back", async () => {
    const server = await startServer();
    const { adminKey: key } = await env.createTenant();
    const before = await server.post("/v1/documents", doc("r1", "Ledger", "quarterly ledger"), key);
    await searchFor(server, key, "ledger");
    const cached = await searchFor(server, key, "ledger");

    await redis.kill();

    const during = await searchFor(server, key, "ledger");
    await eventually(async () => {
      await searchFor(server, key, "ledger");
      expect(await metric(server, "circuit_breaker_state", { dependency: "redis" })).toBe(2);
    });
    const ready = await server.get("/health/ready");
    const written = await server.post("/v1/documents", doc("r2", "Ledger", "annual ledger"), key);
    const callsBefore = await redisCalls(server);
    const whileOpen = [];
    for (let i = 0; i < 5; i++) whileOpen.push(await searchFor(server, key, "ledger"));
    const callsAfter = await redisCalls(server);
    const stillOpen = await metric(server, "circuit_breaker_state", { dependency: "redis" });

    expect(cached.headers.get("x-cache")).toBe("hit");
    expect(during.status).toBe(200);
    expect(during.headers.get("x-degraded")).toContain("cache-bypassed");
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: "degraded",
      dependencies: {
        redis: { up: false, breaker: "open" },
        postgres_writer: { up: true, breaker: "closed" },
        postgres_reader: { up: true, breaker: "closed" },
      },
    });
    expect(written.status).toBe(201);
    expect(stillOpen).toBe(2);
    for (const res of whileOpen) {
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(2);
      expect(res.headers.get("x-degraded")).toBe("cache-bypassed, rate-limit-local");
    }
    // Nothing more reached Redis or waited for it: every call was refused by the breaker.
    expect(callsAfter.failed).toBe(callsBefore.failed);
    expect(callsAfter.timedOut).toBe(callsBefore.timedOut);
    expect(callsAfter.shortCircuited).toBeGreaterThanOrEqual(
      callsBefore.shortCircuited + whileOpen.length,
    );
    expect(
      await metric(server, "dependency_fallbacks_total", { kind: "cache-bypassed" }),
    ).toBeGreaterThanOrEqual(6);

    await redis.start();

    await eventually(
      async () => {
        await searchFor(server, key, "ledger");
        expect(await metric(server, "circuit_breaker_state", { dependency: "redis" })).toBe(0);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const readyAgain = await server.get("/health/ready");
    // The invalidation deferred while Redis was down lands within a second; then the cache serves.
    const cachedAgain = await eventually(async () => {
      const res = await searchFor(server, key, "ledger");
      expect(res.headers.get("x-cache")).toBe("hit");
      return res;
    });

    expect(readyAgain.body.status).toBe("ok");
    expect(cachedAgain.headers.get("x-degraded")).toBeNull();
    expect(cachedAgain.body.total).toBe(2);
    // Every acknowledged write is there.
    for (const created of [before, written]) {
      const read = await server.get(`/v1/documents/${created.body.id}`, key);
      expect([read.status, read.body.externalId]).toEqual([200, created.body.externalId]);
    }
  });

  it("when Redis hangs, only the calls before the breaker opens wait for its deadline", async () => {
    const server = await startServer();
    const { adminKey: key } = await env.createTenant();
    const written = await server.post("/v1/documents", doc("h1", "Frozen", "frozen lake"), key);
    await searchFor(server, key, "frozen");

    redis.pause();
    try {
      const during = await searchFor(server, key, "frozen");
      await eventually(async () => {
        await searchFor(server, key, "frozen");
        expect(await metric(server, "circuit_breaker_state", { dependency: "redis" })).toBe(2);
      });
      const callsBefore = await redisCalls(server);
      const whileOpen = [];
      for (let i = 0; i < 5; i++) whileOpen.push(await searchFor(server, key, "frozen"));
      const callsAfter = await redisCalls(server);
      const stillOpen = await metric(server, "circuit_breaker_state", { dependency: "redis" });

      expect(during.status).toBe(200);
      // Before the breaker opened, calls waited for the deadline (ioredis' commandTimeout or
      // the policy's, whichever fired first).
      expect(callsBefore.failed + callsBefore.timedOut).toBeGreaterThan(0);
      expect(stillOpen).toBe(2);
      expect(whileOpen.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(callsAfter.timedOut).toBe(callsBefore.timedOut);
      expect(callsAfter.failed).toBe(callsBefore.failed);
    } finally {
      redis.resume();
    }
    await eventually(
      async () => {
        await searchFor(server, key, "frozen");
        expect(await metric(server, "circuit_breaker_state", { dependency: "redis" })).toBe(0);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    const read = await server.get(`/v1/documents/${written.body.id}`, key);
    expect([read.status, read.body.externalId]).toEqual([200, "h1"]);
  });
});
