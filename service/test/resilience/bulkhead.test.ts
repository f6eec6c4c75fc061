/**
 * The bulkhead against the real PostgreSQL: one call at a time on the writer, one waiting;
 * past that, a request is refused at once (503 `overloaded`, Retry-After) rather than piling up
 * behind a stuck statement — and the queued one still runs once the way is clear.
 */
import type { Client } from "pg";
import { doc, TestEnvironment, type ApiResponse, type Body } from "../support/environment";
import { eventually } from "./faults";

// Breakers open and close on real time: allow for a loaded machine.
jest.setTimeout(30_000);

const env = new TestEnvironment();
let owner: Client;

beforeAll(async () => {
  await env.setUp();
  owner = await env.connectAs("postgres");
});
afterAll(async () => {
  await owner.end();
  await env.tearDown();
});

describe("the bulkhead", () => {
  it("refuses a request past its queue at once, while the calls ahead are still waiting", async () => {
    const server = await env.startServer({
      settings: {
        resilience: {
          postgresWriter: { timeoutMs: 10_000, bulkhead: { maxConcurrent: 1, maxQueue: 1 } },
        },
      },
    });
    const { tenantId, adminKey: key } = await env.createTenant();
    await server.post("/v1/documents", doc("b1", "Busy", "busy line"), key);
    // Hold the row: the next write of b1 occupies the writer's one slot until it is released.
    await owner.query("BEGIN");
    await owner.query(
      "SELECT 1 FROM search.documents WHERE tenant_id = $1 AND external_id = 'b1' FOR UPDATE",
      [tenantId],
    );

    let holding: Promise<ApiResponse<Body>>;
    let waiting: Promise<ApiResponse<Body>>;
    let refused: ApiResponse<Body>;
    try {
      holding = server.post("/v1/documents", doc("b1", "Busy", "busy again"), key);
      await eventually(async () => {
        const { rows } = await owner.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        expect(rows).toHaveLength(1);
      });
      const queuedOrRefused = [
        server.post("/v1/documents", doc("b2", "Queued", "queued write"), key),
        server.post("/v1/documents", doc("b3", "Refused", "refused write"), key),
      ];
      // The one that can answer while the slot is held is the one the bulkhead refused.
      refused = await Promise.race(queuedOrRefused);
      waiting = Promise.all(queuedOrRefused).then((all) => all.find((r) => r !== refused)!);
    } finally {
      await owner.query("ROLLBACK");
    }
    const [held, queued] = await Promise.all([holding, waiting]);

    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.body.error).toMatchObject({
      code: "overloaded",
      message: "The writer database has too many requests waiting; try again shortly.",
    });
    expect([held.status, queued.status]).toEqual([200, 201]);
    // Every acknowledged write is there; only the refused one is missing.
    const search = await server.get("/v1/search?q=busy OR queued OR refused", key);
    expect(search.body.results.map((r: { externalId: string }) => r.externalId).sort()).toEqual(
      ["b1", queued.body.externalId].sort(),
    );
  });
});
