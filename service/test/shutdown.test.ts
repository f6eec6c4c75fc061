import { Client } from "pg";
import { doc, PG, TestEnvironment } from "./support/environment";

const env = new TestEnvironment();

beforeAll(() => env.setUp());
afterAll(() => env.tearDown());

describe("graceful shutdown", () => {
  it("fails readiness at once, lets in-flight requests finish, refuses new connections, then closes", async () => {
    const server = await env.startServer();
    const { adminKey: key } = await env.createTenant();
    const port = server.running.port;
    // Hold a lock the write needs, so the request is provably in flight when the drain starts.
    const blocker = new Client({ ...PG, database: env.database });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE search.documents IN ACCESS EXCLUSIVE MODE");
    const inFlight = server.post(
      "/v1/documents",
      doc("in-flight", "Drain", "finishes during drain"),
      key,
    );
    await waitUntil(async () => {
      const { rows } = await blocker.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'",
        [env.database],
      );
      return rows[0].n > 0;
    });

    const drained = server.running.shutdown();
    const readyDuringDrain = server.running.runtime.context.lifecycle.draining;
    const newConnection = fetch(`http://127.0.0.1:${port}/health/live`).then(
      () => "answered",
      () => "refused",
    );
    await blocker.query("COMMIT");
    await blocker.end();

    const finished = await inFlight;
    expect(readyDuringDrain).toBe(true);
    expect(await newConnection).toBe("refused");
    expect(finished.status).toBe(201);
    expect(finished.headers.get("connection")).toBe("close");
    expect(await drained).toEqual({ drained: true });
    expect(server.running.runtime.pools.writer.stats().total).toBe(0);
    expect(server.running.runtime.redis.main.status).toBe("end");
  });

  it("answers 503 on readiness, and still serves requests, during drainDelayMs", async () => {
    const server = await env.startServer({ settings: { server: { drainDelayMs: 3_000 } } });
    const { adminKey: key } = await env.createTenant();

    const drained = server.running.shutdown();
    const ready = await server.get("/health/ready");
    const search = await server.get("/v1/search?q=x", key);

    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe("draining");
    expect(search.status).toBe(200);
    expect(search.headers.get("connection")).toBe("close");
    expect(await drained).toEqual({ drained: true });
  });
});

async function waitUntil(probe: () => Promise<boolean>, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("condition never held");
}
