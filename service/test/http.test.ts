import { doc, TestEnvironment, type TestServer } from "./support/environment";

const env = new TestEnvironment();
let server: TestServer;

beforeAll(async () => {
  await env.setUp();
  server = await env.startServer({ settings: { limits: { maxBodyBytes: 2048 } } });
});
afterAll(() => env.tearDown());

describe("HTTP contract", () => {
  it("answers an unknown route with a JSON 404 carrying the request id", async () => {
    const res = await server.get("/v2/nothing");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        code: "not_found",
        message: "No route GET /v2/nothing.",
        requestId: res.headers.get("x-request-id"),
      },
    });
  });

  it("returns the caller's x-request-id, and a fresh one for a malformed id", async () => {
    const kept = await server.request("GET", "/health/live", {
      headers: { "x-request-id": "trace-42.a:b" },
    });
    const replaced = await server.request("GET", "/health/live", {
      headers: { "x-request-id": "bad id\twith spaces" },
    });

    expect(kept.headers.get("x-request-id")).toBe("trace-42.a:b");
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    [
      "a body that is not JSON",
      { "content-type": "application/json" },
      "{not json",
      400,
      "invalid_json",
    ],
    [
      "a body that is not declared JSON",
      { "content-type": "text/plain" },
      "{}",
      415,
      "unsupported_media_type",
    ],
    [
      "a body over limits.maxBodyBytes",
      { "content-type": "application/json" },
      JSON.stringify(doc("big", "t", "x".repeat(4096))),
      413,
      "payload_too_large",
    ],
  ])("refuses %s", async (_name, headers, body, status, code) => {
    const { adminKey: key } = await env.createTenant();
    const res = await server.request("POST", "/v1/documents", { key, headers, body });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it("answers from the writer, marked degraded, when the reader cannot be reached", async () => {
    // (503 with Retry-After when no database answers: test/resilience/postgres-outage.test.ts)
    const broken = await env.startServer({
      endpoints: { postgresReader: { ...env.config().endpoints.postgresWriter, port: 1 } },
    });
    const { adminKey: key } = await env.createTenant();

    const res = await broken.get("/v1/search?q=anything", key);

    expect(res.status).toBe(200);
    expect(res.headers.get("x-degraded")).toBe("reader-fallback");
  });

  it("answers 500 without the SQL error, which goes to the log with the request id", async () => {
    // A reader database without the schema: every search fails with an SQL error.
    const broken = await env.startServer({
      endpoints: {
        postgresReader: { ...env.config().endpoints.postgresWriter, database: "postgres" },
      },
    });
    const { adminKey: key } = await env.createTenant();

    const res = await broken.get("/v1/search?q=anything", key);

    expect(res.status).toBe(500);
    expect(res.body.error).toEqual({
      code: "internal",
      message: "Something went wrong on our side.",
      requestId: res.headers.get("x-request-id"),
    });
    const logged = broken.logs.lines
      .map((l) => JSON.parse(l))
      .find((l) => l.requestId === res.body.error.requestId && l.err);
    expect(logged.err.message).toMatch(/search/);
  });

  it("logs each request with its id but never the API key, the query or a document's body", async () => {
    const quiet = await env.startServer();
    const { adminKey: key } = await env.createTenant();
    const secretBody = "confidential-body-text-9f1c";

    await quiet.post("/v1/documents", doc("log-1", "Logged", secretBody), key);
    await quiet.get("/v1/search?q=zebra-query-7d2e", key);

    const logs = quiet.logs.text();
    expect(logs).toContain('"route":"/v1/documents"');
    expect(logs).toContain('"route":"/v1/search"');
    expect(logs).not.toContain(key);
    expect(logs).not.toContain(key.slice(3));
    expect(logs).not.toContain(secretBody);
    expect(logs).not.toContain("zebra-query-7d2e");
  });
});

describe("probes and metrics", () => {
  it("reports live, started and ready", async () => {
    for (const path of ["/health/live", "/health/startup", "/health/ready"]) {
      const res = await server.get(path);
      expect([path, res.status, res.body.status]).toEqual([path, 200, "ok"]);
    }
  });

  it("reports not started, with the reason, until the migrations have run", async () => {
    const unmigrated = await env.startServer({
      endpoints: {
        postgresWriter: { ...env.config().endpoints.postgresWriter, database: "postgres" },
      },
      waitForStart: false,
    });

    const startup = await unmigrated.get("/health/startup");
    const ready = await unmigrated.get("/health/ready");

    expect(startup.status).toBe(503);
    expect(startup.body.status).toBe("starting");
    expect(ready.status).toBe(503);
  });

  it("exports the metrics the platform alarms on, with their labels", async () => {
    const { adminKey: key } = await env.createTenant();
    await server.get("/v1/search?q=metrics", key);

    const text = (await server.get("/metrics")).text;

    for (const line of [
      /^http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/search",status="200"\} \d+$/m,
      /^http_request_duration_quantiles_seconds\{quantile="0\.95",route="\/v1\/search"\} [\d.e-]+$/m,
      /^http_request_duration_quantiles_seconds\{quantile="0\.99",route="\/v1\/search"\} [\d.e-]+$/m,
      /^search_duration_seconds_count [1-9]\d*$/m,
      /^search_cache_requests_total\{result="stale"\} 0$/m,
      /^db_pool_connections\{pool="reader",state="in_use"\} \d+$/m,
      /^db_pool_connections\{pool="writer",state="waiting"\} \d+$/m,
      /^# TYPE rate_limit_rejections_total counter$/m,
    ]) {
      expect(text).toMatch(line);
    }
  });
});
