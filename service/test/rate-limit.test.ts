import { TestEnvironment, type TestServer } from "./support/environment";

const env = new TestEnvironment();
let server: TestServer;

beforeAll(async () => {
  await env.setUp();
  server = await env.startServer();
});
afterAll(() => env.tearDown());

describe("rate limits", () => {
  it("answers 429 with Retry-After and RateLimit headers once a free tenant's searches pass 10 a window", async () => {
    const { adminKey: key } = await env.createTenant("free");
    const remaining: string[] = [];
    for (let i = 0; i < 10; i++) {
      const ok = await server.get("/v1/search?q=x", key);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("ratelimit-limit")).toBe("10");
      remaining.push(ok.headers.get("ratelimit-remaining")!);
    }

    const refused = await server.get("/v1/search?q=x", key);

    expect(remaining).toEqual(["9", "8", "7", "6", "5", "4", "3", "2", "1", "0"]);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(refused.body.error.message).toMatch(
      /^Too many search requests: the limit is 10 per window; retry in \d+ s\.$/,
    );
    const reset = Number(refused.headers.get("ratelimit-reset"));
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    expect(refused.headers.get("retry-after")).toBe(String(reset));
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect((await server.get("/metrics")).text).toMatch(
      /^rate_limit_rejections_total\{operation="search",tier="free"\} 1$/m,
    );
  });

  it("keeps separate budgets per operation and per tenant", async () => {
    const a = await env.createTenant("free");
    const b = await env.createTenant("free");
    for (let i = 0; i < 10; i++) await server.get("/v1/search?q=x", a.adminKey);

    expect((await server.get("/v1/search?q=x", a.adminKey)).status).toBe(429);
    expect(
      (await server.get("/v1/documents/00000000-0000-4000-8000-000000000000", a.adminKey)).status,
    ).toBe(404);
    expect((await server.get("/v1/search?q=x", b.adminKey)).status).toBe(200);
  });

  it("shares one budget between replicas", async () => {
    const { adminKey: key } = await env.createTenant("free");
    const other = await env.startServer();
    for (let i = 0; i < 5; i++) {
      expect((await server.get("/v1/search?q=x", key)).status).toBe(200);
      expect((await other.get("/v1/search?q=x", key)).status).toBe(200);
    }

    expect((await other.get("/v1/search?q=x", key)).status).toBe(429);
  });

  it("limits requests without a valid key per client IP, before looking the key up", async () => {
    // A key prefix of its own: the other tests' first validations were charged to 127.0.0.1 too.
    const limited = await env.startServer({
      settings: {
        rateLimits: { perIpPerMinute: 3 },
        redis: { keyPrefix: `${env.redisPrefix}ip:` },
      },
    });
    const { adminKey: known } = await env.createTenant();
    expect((await limited.get("/v1/search?q=x", known)).status).toBe(200); // validated: cached
    const bad = `sk_${"B".repeat(43)}`;

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.get("/v1/search?q=x", bad)).status);
    const afterwards = await limited.get("/v1/search?q=x", known);

    expect(statuses).toEqual([401, 401, 429, 429]); // the first validation was charged too
    expect(afterwards.status).toBe(200);
  });
});
