/**
 * The audit trail against the real PostgreSQL: what is recorded for each request (denials
 * included), the stdout audit channel, keyed query digests, the hash chain and its verification
 * after tampering as the table owner, append-only enforcement, group commit, and fail-closed
 * versus spooled behaviour when the audit store refuses writes.
 *
 * The audit store is made to fail for this test database only: EXECUTE on the append function
 * is revoked from the service role here (roles are cluster-wide, grants per database).
 */
import type { Client } from "pg";
import { SLA_TIER_NAMES, SLA_TIERS } from "../../src/config";
import { DEVELOPMENT_AUDIT_KEY } from "../../src/config/load";
import { AuditKeys, canonicalForm, NO_TENANT } from "../../src/governance/audit-record";
import { recordOfRow } from "../../src/governance/audit-verify";
import {
  doc,
  TestEnvironment,
  type Body,
  type ServerOptions,
  type TestServer,
} from "../support/environment";
import { asTamperingOwner, auditRows, auditRowsOf, eventually, metric } from "./helpers";

const env = new TestEnvironment();
let owner: Client;
let server: TestServer;

/** Free-tier tenants may read once a minute here (to see a 429). */
const tiers = Object.fromEntries(
  SLA_TIER_NAMES.map((t) => [
    t,
    { ...SLA_TIERS[t].requestsPerMinute, ...(t === "free" ? { read: 1 } : {}) },
  ]),
) as Record<
  (typeof SLA_TIER_NAMES)[number],
  Record<"search" | "read" | "write" | "bulk" | "delete", number>
>;

/** Fail-closed (every served response waits for its record), quick checkpoints. */
const FAIL_CLOSED: ServerOptions["settings"] = {
  governance: { audit: { failClosed: true, checkpointIntervalMs: 50 } },
  rateLimits: { perIpPerMinute: 100_000, tiers },
};

beforeAll(async () => {
  await env.setUp();
  owner = await env.connectAs("postgres");
  server = await env.startServer({ settings: FAIL_CLOSED });
});
afterAll(async () => {
  await owner.end();
  await env.tearDown();
});

let requests = 0;
const requestId = (name: string) => `${name}-${process.pid}-${++requests}`;
const call = (
  s: TestServer,
  method: string,
  path: string,
  key: string | undefined,
  id: string,
  json?: unknown,
) => s.request<Body>(method, path, { key, json, headers: { "x-request-id": id } });

/** A tenant with one document, and keys of each role. */
async function tenant(tier: "enterprise" | "free" = "enterprise") {
  const t = await env.createTenant(tier);
  const reader = await t.key("reader");
  const auditor = await t.key("auditor");
  const created = await server.post(
    "/v1/documents",
    doc("a-1", "Audit report", "Quarterly audit findings.", { classification: "confidential" }),
    t.adminKey,
  );
  return { ...t, reader, auditor, documentId: created.body.id as string };
}

const verify = (s: TestServer, key: string) => s.get<Body>("/v1/audit/verify", key);

describe("what is recorded", () => {
  it("records who searched, read and wrote what, when, with which outcome and result count", async () => {
    const t = await tenant();
    const ids = { search: requestId("s"), read: requestId("r"), write: requestId("w") };

    await call(server, "GET", "/v1/search?q=audit", t.reader, ids.search);
    await call(server, "GET", `/v1/documents/${t.documentId}`, t.reader, ids.read);
    const written = await call(
      server,
      "POST",
      "/v1/documents",
      t.adminKey,
      ids.write,
      doc("a-2", "Note", "text"),
    );

    const [search] = await auditRowsOf(owner, ids.search);
    const [read] = await auditRowsOf(owner, ids.read);
    const write = await auditRowsOf(owner, ids.write);
    expect(search).toMatchObject({
      tenant_id: t.tenantId,
      role: "reader",
      action: "search",
      outcome: "allowed",
      status: 200,
      result_count: 1,
      classifications: ["confidential"],
      query_text: "audit",
      details: { mode: "websearch", cache: "miss" },
    });
    expect(search.key_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(search.query_digest).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(read).toMatchObject({
      action: "read",
      resource: t.documentId,
      outcome: "allowed",
      result_count: 1,
      classifications: ["confidential"],
    });
    // Fail-closed: a change is recorded as an attempt before it is made.
    expect(write.map((r) => [r.action, r.outcome, r.status])).toEqual([
      ["write", "attempt", 0],
      ["write", "allowed", 201],
    ]);
    expect(write[1].resource).toBe(written.body.id);
    const seqs = (await auditRows(owner, t.tenantId)).map((r) => Number(r.seq));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it("records denied attempts: 401 under no tenant, 403 and 429 under the caller's", async () => {
    const t = await tenant("free");
    const ids = { unknown: requestId("u"), forbidden: requestId("f"), limited: requestId("l") };

    const unknown = await call(
      server,
      "GET",
      "/v1/search?q=x",
      `sk_${"A".repeat(43)}`,
      ids.unknown,
    );
    const forbidden = await call(
      server,
      "DELETE",
      `/v1/documents/${t.documentId}`,
      t.reader,
      ids.forbidden,
    );
    await call(server, "GET", `/v1/documents/${t.documentId}`, t.reader, requestId("ok"));
    const limited = await call(
      server,
      "GET",
      `/v1/documents/${t.documentId}`,
      t.reader,
      ids.limited,
    );

    expect([unknown.status, forbidden.status, limited.status]).toEqual([401, 403, 429]);
    await eventually(async () => (await auditRowsOf(owner, ids.limited)).length === 1);
    const [u] = await auditRowsOf(owner, ids.unknown);
    const [f] = await auditRowsOf(owner, ids.forbidden);
    const [l] = await auditRowsOf(owner, ids.limited);
    expect(u).toMatchObject({
      tenant_id: NO_TENANT,
      key_id: null,
      action: "search",
      outcome: "denied",
      status: 401,
      details: { errorCode: "unauthenticated" },
    });
    expect(f).toMatchObject({
      tenant_id: t.tenantId,
      role: "reader",
      action: "delete",
      resource: t.documentId,
      outcome: "denied",
      status: 403,
      result_count: null,
      classifications: [],
    });
    expect(l).toMatchObject({ action: "read", outcome: "denied", status: 429 });
  });

  it("writes each committed record as one JSON line with channel audit, and no document content", async () => {
    const t = await tenant();
    const id = requestId("line");

    await call(server, "GET", `/v1/documents/${t.documentId}`, t.reader, id);

    const lines = server.logs.lines
      .map((l) => JSON.parse(l) as Body)
      .filter((l) => l.channel === "audit" && l.requestId === id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      channel: "audit",
      tenantId: t.tenantId,
      action: "read",
      outcome: "allowed",
      status: 200,
      resource: t.documentId,
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const raw = server.logs.lines.find((l) => l.includes(id) && l.includes('"channel":"audit"'))!;
    expect(raw).not.toMatch(/Quarterly|findings|Audit report/);
  });

  it("keeps a keyed digest of the query, and its text only where the preset allows, masked", async () => {
    const hashing = await env.startServer({
      settings: {
        ...FAIL_CLOSED,
        governance: { compliancePreset: "gdpr", audit: { failClosed: true } },
      },
    });
    const t = await tenant();
    const ids = { hashed: requestId("h"), plain: requestId("p") };

    await call(hashing, "GET", "/v1/search?q=quarterly+findings", t.adminKey, ids.hashed);
    await call(server, "GET", "/v1/search?q=findings+123-45-6789", t.adminKey, ids.plain);

    const keys = new AuditKeys({ current: DEVELOPMENT_AUDIT_KEY, previous: [], development: true });
    const [hashed] = await auditRowsOf(owner, ids.hashed);
    const [plain] = await auditRowsOf(owner, ids.plain);
    expect(hashed.query_text).toBeNull();
    expect(hashed.query_digest).toBe(keys.queryDigest(t.tenantId, "quarterly findings"));
    expect(plain.query_text).toBe("findings ***-**-6789");
  });
});

describe("the hash chain", () => {
  it("verifies for the auditor and the admin, and is refused to a reader", async () => {
    const t = await tenant();
    await server.get("/v1/search?q=audit", t.reader);

    const res = await verify(server, t.auditor);
    const admin = await verify(server, t.adminKey);
    const reader = await verify(server, t.reader);

    const stored = await auditRows(owner, t.tenantId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tenantId: t.tenantId,
      status: "intact",
      verifiedFrom: 1,
      firstBroken: null,
    });
    // The document's write (attempt and result) and the search; the verifications came after.
    expect(res.body.records).toBe(3);
    expect(stored.length).toBeGreaterThan(3);
    expect(admin.body.status).toBe("intact");
    expect(reader.status).toBe(403);
  });

  it("reports a record altered in SQL by the table owner, at its position", async () => {
    const t = await tenant();
    await server.get("/v1/search?q=audit", t.reader);
    const rows = await auditRows(owner, t.tenantId);

    await asTamperingOwner(owner, () =>
      owner.query("UPDATE search.audit_log SET result_count = 99 WHERE id = $1", [rows[2].id]),
    );
    const res = await verify(server, t.auditor);

    expect(res.body.status).toBe("broken");
    expect(res.body.firstBroken).toEqual({
      seq: 3,
      recordId: rows[2].id,
      occurredAt: expect.any(String),
      reason: "its content does not match its hash: the record was altered",
    });
  });

  it("reports a record removed from the middle, and records removed from the end", async () => {
    const middle = await tenant();
    await server.get("/v1/search?q=audit", middle.reader);
    const end = await tenant();
    const middleRows = await auditRows(owner, middle.tenantId);
    const endRows = await auditRows(owner, end.tenantId);

    await asTamperingOwner(owner, async () => {
      await owner.query("DELETE FROM search.audit_log WHERE id = $1", [middleRows[1].id]);
      await owner.query("DELETE FROM search.audit_log WHERE id = $1", [endRows.at(-1)!.id]);
    });
    const middleResult = await verify(server, middle.auditor);
    const endResult = await verify(server, end.auditor);

    expect(middleResult.body.firstBroken).toMatchObject({
      seq: 2,
      reason: "records 2 to 2 are missing",
    });
    expect(endResult.body.firstBroken).toMatchObject({
      seq: endRows.length,
      reason: `the chain ends at seq ${endRows.length - 1} but its head is at seq ${endRows.length}: records were removed`,
    });
  });

  it("catches an owner who rewrites the whole chain consistently: it no longer matches the signed checkpoints", async () => {
    const t = await tenant();
    const signed = Number((await auditRows(owner, t.tenantId)).at(-1)!.seq);
    await eventually(async () => {
      const { rows } = await owner.query(
        "SELECT 1 FROM search.audit_checkpoints WHERE tenant_id = $1 AND seq = $2",
        [t.tenantId, signed],
      );
      return rows.length === 1;
    });
    const { rows: firstCheckpoint } = await owner.query(
      "SELECT min(seq) AS seq FROM search.audit_checkpoints WHERE tenant_id = $1",
      [t.tenantId],
    );
    const firstSigned = Number(firstCheckpoint[0].seq);

    // Forge: the same records with another result count, rehashed into a chain of their own.
    const { rows: full } = await owner.query(
      "SELECT * FROM search.audit_log WHERE tenant_id = $1 ORDER BY seq",
      [t.tenantId],
    );
    const forged = full.map((row) => canonicalForm({ ...recordOfRow(row), resultCount: 42 }));
    await asTamperingOwner(owner, async () => {
      await owner.query("DELETE FROM search.audit_log WHERE tenant_id = $1", [t.tenantId]);
      await owner.query("DELETE FROM search.audit_heads WHERE tenant_id = $1", [t.tenantId]);
      await owner.query("SELECT search.append_audit_records($1::text[])", [forged]);
    });
    // The service goes on to sign the rewritten chain's head: that must not launder it.
    await server.get("/v1/search?q=audit", t.reader);
    await eventually(async () => {
      const { rows } = await owner.query(
        "SELECT 1 FROM search.audit_checkpoints c JOIN search.audit_heads h USING (tenant_id, seq, hash) WHERE tenant_id = $1",
        [t.tenantId],
      );
      return rows.length === 1;
    });
    const rewritten = await verify(server, t.auditor);
    // Replacing a checkpoint's hash needs its signature, which needs the key.
    await asTamperingOwner(owner, () =>
      owner.query(
        `UPDATE search.audit_checkpoints c SET hash = a.hash
         FROM search.audit_log a
         WHERE c.tenant_id = $1 AND a.tenant_id = c.tenant_id AND a.seq = c.seq AND c.seq = $2`,
        [t.tenantId, firstSigned],
      ),
    );
    const resigned = await verify(server, t.auditor);

    expect(rewritten.body.firstBroken).toMatchObject({
      seq: firstSigned,
      reason: "the chain differs from the signed checkpoint here: it was rewritten",
    });
    expect(resigned.body.firstBroken).toMatchObject({
      seq: firstSigned,
      reason: "the checkpoint's signature is not valid: it was not made by this service",
    });
  });

  it("counts the checkpoints it checked and names the latest", async () => {
    const t = await tenant();
    const last = Number((await auditRows(owner, t.tenantId)).at(-1)!.seq);
    await eventually(async () => {
      const { rows } = await owner.query(
        "SELECT 1 FROM search.audit_checkpoints WHERE tenant_id = $1 AND seq = $2",
        [t.tenantId, last],
      );
      return rows.length === 1;
    });

    const res = await verify(server, t.auditor);

    expect(res.body.status).toBe("intact");
    expect(res.body.checkpoints).toMatchObject({
      unverifiable: 0,
      latest: { seq: last, signedAt: expect.any(String) },
    });
    expect(res.body.checkpoints.verified).toBeGreaterThanOrEqual(1);
  });
});

describe("append-only", () => {
  it("gives the service role no way to change or remove a record, and refuses even the owner", async () => {
    const t = await tenant();
    const [row] = await auditRows(owner, t.tenantId);
    const app = await env.connectAs("search_app");
    try {
      await app.query("BEGIN");
      await app.query("SELECT set_config('app.tenant_id', $1, true)", [t.tenantId]);
      for (const sql of [
        "UPDATE search.audit_log SET outcome = 'denied'",
        "DELETE FROM search.audit_log",
        "TRUNCATE search.audit_log",
        `INSERT INTO search.audit_log SELECT * FROM search.audit_log LIMIT 1`,
        "UPDATE search.audit_heads SET seq = 1",
      ]) {
        await app.query("SAVEPOINT s");
        await expect(app.query(sql)).rejects.toThrow(/permission denied/);
        await app.query("ROLLBACK TO SAVEPOINT s");
      }
      await app.query("ROLLBACK");
    } finally {
      await app.end();
    }

    await expect(
      owner.query("UPDATE search.audit_log SET outcome = 'denied' WHERE id = $1", [row.id]),
    ).rejects.toThrow(/the audit trail is append-only: UPDATE on audit_log_\d+ is refused/);
    await expect(
      owner.query("DELETE FROM search.audit_log WHERE id = $1", [row.id]),
    ).rejects.toThrow(/append-only: DELETE/);
    await expect(owner.query("TRUNCATE search.audit_log")).rejects.toThrow(/append-only: TRUNCATE/);
  });
});

describe("group commit", () => {
  it("writes the records of concurrent requests with fewer INSERTs than requests", async () => {
    const grouped = await env.startServer({
      settings: {
        ...FAIL_CLOSED,
        governance: { audit: { failClosed: true, batchMaxDelayMs: 20 } },
      },
    });
    const t = await tenant();
    const batchesBefore = await metric(grouped, "audit_batches_total", { result: "ok" });
    const recordsBefore = await metric(grouped, "audit_records_total", { result: "committed" });

    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => grouped.get(`/v1/search?q=audit+${i}`, t.reader)),
    );

    const batches =
      (await metric(grouped, "audit_batches_total", { result: "ok" })) - batchesBefore;
    const records =
      (await metric(grouped, "audit_records_total", { result: "committed" })) - recordsBefore;
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(records).toBeGreaterThanOrEqual(40);
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThan(records / 4);
    expect((await verify(grouped, t.auditor)).body.status).toBe("intact");
  });
});

describe("when the audit store refuses writes", () => {
  const refuseAuditWrites = () =>
    owner.query("REVOKE EXECUTE ON FUNCTION search.append_audit_records(text[]) FROM search_app");
  const allowAuditWrites = () =>
    owner.query("GRANT EXECUTE ON FUNCTION search.append_audit_records(text[]) TO search_app");

  it("fail-closed: refuses the access with 503 and returns nothing of it, and makes no change", async () => {
    const closed = await env.startServer({ settings: FAIL_CLOSED });
    const t = await tenant();
    await closed.get("/v1/search?q=quarterly", t.reader); // cached, to show the cache cannot leak
    await refuseAuditWrites();
    let read, search, write;
    try {
      read = await closed.get(`/v1/documents/${t.documentId}`, t.reader);
      search = await closed.get("/v1/search?q=quarterly", t.reader);
      write = await closed.post(
        "/v1/documents",
        doc("never", "Never", "never written"),
        t.adminKey,
      );
    } finally {
      await allowAuditWrites();
    }

    for (const res of [read, search, write]) {
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.body).toEqual({
        error: {
          code: "dependency_unavailable",
          message:
            "The audit trail cannot be written, so the request was not served; try again shortly.",
          requestId: expect.any(String),
        },
      });
      expect(res.text).not.toMatch(/Quarterly|findings|Audit report|never written/);
    }
    expect(search!.headers.get("x-cache")).toBeNull();
    const { rows } = await owner.query(
      "SELECT 1 FROM search.documents WHERE tenant_id = $1 AND external_id = 'never'",
      [t.tenantId],
    );
    expect(rows).toEqual([]);
    expect(closed.logs.text()).toContain("audit record not written: the response was refused");
    expect((await closed.get(`/v1/documents/${t.documentId}`, t.reader)).status).toBe(200);
  });

  it("not fail-closed: serves the access, keeps the record in memory and writes it once the store is back", async () => {
    const spooling = await env.startServer({
      settings: {
        rateLimits: { perIpPerMinute: 100_000 },
        governance: { audit: { failClosed: false } },
      },
    });
    const t = await tenant();
    const id = requestId("spooled");
    await refuseAuditWrites();
    let res;
    try {
      res = await call(spooling, "GET", `/v1/documents/${t.documentId}`, t.reader, id);
      await eventually(async () => (await metric(spooling, "audit_spooled_records")) > 0);
    } finally {
      await allowAuditWrites();
    }

    expect(res.status).toBe(200);
    expect(res.body.title).toBe("Audit report");
    await eventually(async () => (await auditRowsOf(owner, id)).length === 1);
    expect((await verify(spooling, t.auditor)).body.status).toBe("intact");
  });
});
