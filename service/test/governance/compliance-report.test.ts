/**
 * The compliance report counts what the audit trail recorded for the tenant: accesses by action
 * and classification, denied attempts, erasures, accesses outside business hours, and the
 * chain's state. HIPAA preset: pii is masked for readers, every access waits for its record.
 */
import { doc, TestEnvironment, type Body, type TestServer } from "../support/environment";

const env = new TestEnvironment();
let server: TestServer;

/** Today's ISO weekday (1 Monday … 7 Sunday), in UTC. */
const today = ((new Date().getUTCDay() + 6) % 7) + 1;

beforeAll(async () => {
  await env.setUp();
  // Business hours that never include now: every access here is after hours.
  server = await env.startServer({
    settings: {
      governance: {
        compliancePreset: "hipaa",
        businessHours: {
          timeZone: "UTC",
          weekdays: [1, 2, 3, 4, 5, 6, 7].filter((d) => d !== today),
        },
      },
      rateLimits: { perIpPerMinute: 100_000 },
    },
  });
});
afterAll(() => env.tearDown());

describe("compliance report", () => {
  it("counts accesses by action and classification, denials, erasures and after-hours accesses", async () => {
    const t = await env.createTenant();
    const reader = await t.key("reader");
    const auditor = await t.key("auditor");
    const created = await server.post(
      "/v1/documents",
      doc("r-1", "Record", "A customer record.", {
        subjectId: "person-1",
        fields: { ssn: "123-45-6789" },
      }),
      t.adminKey,
    );
    const id = created.body.id as string;
    await server.get("/v1/search?q=customer", reader); // internal shown, pii masked
    await server.get(`/v1/documents/${id}`, reader); // internal shown, pii masked
    await server.get(`/v1/documents/${id}`, t.adminKey); // internal and pii shown
    expect((await server.delete(`/v1/documents/${id}`, reader)).status).toBe(403);
    expect((await server.get("/v1/compliance/report", reader)).status).toBe(403);
    await server.delete("/v1/subjects/person-1", t.adminKey);

    const res = await server.get<Body>("/v1/compliance/report", auditor);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenantId: t.tenantId,
      compliancePreset: "hipaa",
      accesses: {
        total: 5,
        byAction: { write: 1, search: 1, read: 2, erase: 1 },
        byClassification: {
          internal: { shown: 4, masked: 0 },
          pii: { shown: 2, masked: 2 },
          phi: { shown: 0, masked: 0 },
        },
      },
      denied: { total: 2, byStatus: { "403": 2 }, byAction: { delete: 1, audit: 1 } },
      errors: 0,
      erasures: { total: 1, documentsDeleted: 1 },
      afterHours: { accesses: 5 },
      auditChain: { status: "intact" },
    });
  });

  it("counts only accesses outside the business hours another configuration sets", async () => {
    const always = await env.startServer({
      settings: {
        governance: {
          compliancePreset: "hipaa",
          businessHours: { startHour: 0, endHour: 24, weekdays: [1, 2, 3, 4, 5, 6, 7] },
        },
      },
    });
    const t = await env.createTenant();
    await always.get("/v1/search?q=anything", t.adminKey);

    const res = await always.get<Body>("/v1/compliance/report", t.adminKey);

    expect(res.body.accesses.total).toBe(1);
    expect(res.body.afterHours.accesses).toBe(0);
  });

  it("reports only the period asked for, and refuses a period that ends before it starts", async () => {
    const t = await env.createTenant();
    await server.get("/v1/search?q=anything", t.adminKey);

    const past = await server.get<Body>(
      "/v1/compliance/report?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z",
      t.adminKey,
    );
    const backwards = await server.get<Body>(
      "/v1/compliance/report?from=2021-01-01T00:00:00Z&to=2020-01-01T00:00:00Z",
      t.adminKey,
    );

    expect(past.body).toMatchObject({
      from: "2020-01-01T00:00:00.000Z",
      to: "2020-02-01T00:00:00.000Z",
      accesses: { total: 0 },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.message).toBe(
      'query.from: must be before `to`, got "2021-01-01T00:00:00Z"',
    );
  });
});
