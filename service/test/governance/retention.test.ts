/**
 * The audit table's time partitions: made ahead of time by the service, dropped after the
 * retention period by the maintenance routine (`admin.js audit-maintenance`), with the chain
 * still verifiable from the first record left. And the CLI's own chain verification.
 */
import type { Client } from "pg";
import type { ServiceSettingsInput } from "../../src/config";
import { canonicalForm, newRecordId, type AuditRecord } from "../../src/governance/audit-record";
import { TestEnvironment, type TestServer } from "../support/environment";
import { asTamperingOwner, auditRows, auditRowsOf, eventually } from "./helpers";

const env = new TestEnvironment();
let owner: Client;
let server: TestServer;

const AUDIT = { partitionInterval: "day", partitionsAhead: 3, failClosed: true } as const;

beforeAll(async () => {
  await env.setUp();
  owner = await env.connectAs("postgres");
  server = await env.startServer({ settings: { governance: { audit: AUDIT } } });
});
afterAll(async () => {
  await owner.end();
  await env.tearDown();
});

async function admin(settings: ServiceSettingsInput, ...argv: string[]) {
  const { code, stdout, stderr } = await env.admin(argv, { settings });
  return { code, output: JSON.parse([stdout, stderr].filter(Boolean).join("\n")) };
}

interface Partition {
  name: string;
  range_from: Date;
  range_to: Date;
}

const partitions = async () =>
  (await owner.query<Partition>("SELECT * FROM search.audit_partitions()")).rows;

const utcDay = (offset: number) => {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + offset);
  return d;
};

/** An audit record as the service would write it. */
function record(tenantId: string, occurredAt: Date, requestId: string): AuditRecord {
  return {
    id: newRecordId(),
    tenantId,
    occurredAt,
    requestId,
    keyId: null,
    role: "reader",
    action: "read",
    resource: null,
    outcome: "allowed",
    status: 200,
    resultCount: 1,
    classifications: ["internal"],
    maskedClassifications: [],
    queryDigest: null,
    queryText: null,
    clientIp: "127.0.0.1",
    details: null,
  };
}

async function append(records: AuditRecord[]): Promise<void> {
  await owner.query("SELECT search.append_audit_records($1::text[])", [records.map(canonicalForm)]);
}

describe("audit partitions", () => {
  it("are created by the service at start-up, for today and the days ahead", async () => {
    const days = (await partitions()).map((p) => p.range_from.getTime());

    for (let i = 0; i <= AUDIT.partitionsAhead; i++) {
      expect(days).toContain(utcDay(i).getTime());
    }
  });

  it("cover every day once when monthly partitions follow daily ones", async () => {
    await owner.query("SELECT search.audit_create_partitions('month', 2)");

    const all = await partitions();
    const end = new Date(Date.UTC(utcDay(0).getUTCFullYear(), utcDay(0).getUTCMonth() + 3, 1));
    for (let day = utcDay(0); day < end; day = new Date(day.getTime() + 86_400_000)) {
      const covering = all.filter((p) => p.range_from <= day && p.range_to > day);
      expect(covering).toHaveLength(1);
    }
    const next = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 2, 1));
    const month = `${next.getUTCFullYear()}${String(next.getUTCMonth() + 1).padStart(2, "0")}`;
    expect(all.map((p) => p.name)).toContain(`audit_log_${month}`);
  });

  it("are dropped by the maintenance routine once past the retention, and the chain still verifies from the first record left", async () => {
    const t = await env.createTenant();
    const auditor = await t.key("auditor");
    await owner.query("SELECT search.audit_create_partition('2020-01-01', '2020-02-01', 'month')");
    await append([
      record(t.tenantId, new Date("2020-01-10T09:00:00Z"), "old-1"),
      record(t.tenantId, new Date("2020-01-11T09:00:00Z"), "old-2"),
    ]);
    const [first] = await auditRows(owner, t.tenantId);
    // A checkpoint from back then, whose signature no longer checks out: it must go too.
    await owner.query(
      "INSERT INTO search.audit_checkpoints (tenant_id, seq, hash, mac, key_id, created_at) VALUES ($1, 1, $2, '\\x00', 'old-key', '2020-01-10')",
      [
        t.tenantId,
        (await owner.query("SELECT hash FROM search.audit_log WHERE id = $1", [first.id])).rows[0]
          .hash,
      ],
    );
    await server.get("/v1/search?q=anything", t.adminKey);

    const maintenance = await admin(
      { governance: { audit: { retentionInDays: 730 } } },
      "audit-maintenance",
    );
    const verification = await server.get("/v1/audit/verify", auditor);

    expect(maintenance.code).toBe(0);
    expect(maintenance.output.dropped).toEqual(["audit_log_202001"]);
    expect(maintenance.output.retentionInDays).toBe(730);
    expect((await partitions()).map((p) => p.name)).not.toContain("audit_log_202001");
    expect(verification.body).toMatchObject({
      status: "intact",
      verifiedFrom: 3,
      records: 1,
      checkpoints: { unverifiable: 0 },
    });
  });

  it("keep whatever is younger than the retention", async () => {
    const before = (await partitions()).map((p) => p.name);

    const maintenance = await admin(
      { governance: { audit: { retentionInDays: 730 } } },
      "audit-maintenance",
    );

    expect(maintenance.output.dropped).toEqual([]);
    expect((await partitions()).map((p) => p.name)).toEqual(expect.arrayContaining(before));
  });
});

describe("admin audit-verify", () => {
  it("prints the verification of a tenant's chain, and exits 3 when it is broken", async () => {
    const t = await env.createTenant();
    await server.get("/v1/search?q=anything", t.adminKey);
    await server.get("/v1/search?q=else", t.adminKey);

    const intact = await admin({}, "audit-verify", "--tenant", t.tenantId);
    const [row] = await auditRows(owner, t.tenantId);
    await asTamperingOwner(owner, () =>
      owner.query("UPDATE search.audit_log SET status = 500 WHERE id = $1", [row.id]),
    );
    const broken = await admin({}, "audit-verify", "--tenant", t.tenantId);

    expect(intact).toMatchObject({ code: 0, output: { status: "intact", records: 2 } });
    expect(broken).toMatchObject({
      code: 3,
      output: { status: "broken", firstBroken: { seq: 1 } },
    });
  });

  it("verifies the chain of requests that had no tenant", async () => {
    const denied = await server.request("GET", "/v1/search?q=anything", {
      key: `sk_${"B".repeat(43)}`,
      headers: { "x-request-id": "no-tenant-denial" },
    });
    expect(denied.status).toBe(401);
    // A denial serves nothing: its record is spooled, not waited for.
    await eventually(async () => (await auditRowsOf(owner, "no-tenant-denial")).length === 1);

    const res = await admin({}, "audit-verify", "--tenant", "none");

    expect(res.code).toBe(0);
    expect(res.output.status).toBe("intact");
    expect(res.output.records).toBeGreaterThanOrEqual(1);
  });
});
