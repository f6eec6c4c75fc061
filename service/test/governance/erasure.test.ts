/**
 * Erasure of a data subject: its documents and every cached answer (search cache and stale
 * copies) that could hold them are gone, the erasure is in the audit trail without the erased
 * data, and the chain still verifies.
 */
import { Redis } from "ioredis";
import type { Client } from "pg";
import {
  doc,
  REDIS_URL,
  TestEnvironment,
  type Body,
  type TestServer,
} from "../support/environment";
import { auditRows } from "./helpers";

const env = new TestEnvironment();
let owner: Client;
let redis: Redis;
let server: TestServer;

beforeAll(async () => {
  await env.setUp();
  owner = await env.connectAs("postgres");
  redis = new Redis(REDIS_URL);
  server = await env.startServer({
    settings: { governance: { compliancePreset: "gdpr", audit: { failClosed: true } } },
  });
});
afterAll(async () => {
  redis.disconnect();
  await owner.end();
  await env.tearDown();
});

/** The tenant's cached search answers and stale copies in Redis. */
async function cachedAnswers(tenantId: string): Promise<string[]> {
  const keys: string[] = [];
  for (const kind of ["s", "last"]) {
    let cursor = "0";
    do {
      const [next, found] = await redis.scan(
        cursor,
        "MATCH",
        `${env.redisPrefix}{t:${tenantId}}:${kind}:*`,
        "COUNT",
        1000,
      );
      cursor = next;
      keys.push(...found);
    } while (cursor !== "0");
  }
  return keys;
}

async function tenantWithSubjects() {
  const t = await env.createTenant();
  const res = await server.post(
    "/v1/documents/bulk",
    {
      documents: [
        doc("ann-1", "Claim of Ann", "Ann Example filed a claim.", { subjectId: "person-ann" }),
        doc("ann-2", "Letter to Ann", "Dear Ann, your claim was approved.", {
          subjectId: "person-ann",
        }),
        doc("bob-1", "Claim of Bob", "Bob Example filed a claim.", { subjectId: "person-bob" }),
      ],
    },
    t.adminKey,
  );
  const ids = Object.fromEntries(
    res.body.items.map((i: Body) => [i.externalId as string, i.id as string]),
  );
  return { ...t, ids };
}

const search = (key: string, q: string) =>
  server.get<Body>(`/v1/search?${new URLSearchParams({ q })}`, key);

describe("erasure of a data subject", () => {
  it("deletes the subject's documents and every cached answer that held them", async () => {
    const t = await tenantWithSubjects();
    await search(t.adminKey, "claim");
    expect((await search(t.adminKey, "claim")).headers.get("x-cache")).toBe("hit");
    expect((await cachedAnswers(t.tenantId)).length).toBeGreaterThan(0);

    const res = await server.delete("/v1/subjects/person-ann", t.adminKey);
    const leftInCache = await cachedAnswers(t.tenantId);
    const after = await search(t.adminKey, "claim");

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      subject: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      documentsDeleted: 2,
      cacheEntriesDeleted: expect.any(Number),
    });
    expect(res.body.cacheEntriesDeleted).toBeGreaterThanOrEqual(2); // the answer and its stale copy
    expect(leftInCache).toEqual([]);
    expect(after.headers.get("x-cache")).toBe("miss");
    expect(after.body.results.map((r: Body) => r.externalId)).toEqual(["bob-1"]);
    expect((await server.get(`/v1/documents/${t.ids["ann-1"]}`, t.adminKey)).status).toBe(404);
    expect((await server.get(`/v1/documents/${t.ids["bob-1"]}`, t.adminKey)).status).toBe(200);
  });

  it("records the erasure without the erased data, and the chain still verifies", async () => {
    const t = await tenantWithSubjects();
    const auditor = await t.key("auditor");
    await server.delete("/v1/subjects/person-ann", t.adminKey);

    const rows = await auditRows(owner, t.tenantId);
    const erase = rows.filter((r) => r.action === "erase");
    const { rows: mentions } = await owner.query(
      "SELECT count(*)::int AS n FROM search.audit_log a WHERE tenant_id = $1 AND a::text ~* 'person-ann|claim of ann'",
      [t.tenantId],
    );
    const verification = await server.get("/v1/audit/verify", auditor);

    expect(erase.map((r) => [r.outcome, r.status])).toEqual([
      ["attempt", 0],
      ["allowed", 200],
    ]);
    expect(erase[1]).toMatchObject({
      resource: expect.stringMatching(/^subject:hmac-sha256:[0-9a-f]{64}$/),
      result_count: 2,
      details: { documentsDeleted: 2, cacheEntriesDeleted: expect.any(Number) },
    });
    expect(erase[0].resource).toBe(erase[1].resource);
    expect(mentions[0].n).toBe(0);
    expect(verification.body.status).toBe("intact");
  });

  it("answers with zero documents for a subject it does not know", async () => {
    const t = await tenantWithSubjects();

    const res = await server.delete("/v1/subjects/nobody", t.adminKey);

    expect(res.status).toBe(200);
    expect(res.body.documentsDeleted).toBe(0);
  });

  it("is for admins only", async () => {
    const t = await tenantWithSubjects();
    const writer = await t.key("writer");

    const res = await server.delete("/v1/subjects/person-ann", writer);

    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe("The writer role may not erase data subjects.");
    expect((await server.get(`/v1/documents/${t.ids["ann-1"]}`, t.adminKey)).status).toBe(200);
  });

  it("is refused where the compliance preset disables it (SOX)", async () => {
    const sox = await env.startServer({ settings: { governance: { compliancePreset: "sox" } } });
    const t = await tenantWithSubjects();

    const res = await sox.delete("/v1/subjects/person-ann", t.adminKey);

    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'Erasure is disabled under the "sox" compliance preset (governance.erasure.enabled is false).',
    );
    expect((await sox.get(`/v1/documents/${t.ids["ann-1"]}`, t.adminKey)).status).toBe(200);
  });
});
