/** Audit record ids, digests and the chain's hash, against independent references. */
import { createHash, createHmac } from "node:crypto";
import { AuditKeys, chainHash, GENESIS_HASH, newRecordId } from "../../src/governance/audit-record";

const KEY = "an audit key of at least thirty-two characters";
const keys = new AuditKeys({ current: KEY, previous: [], development: false });

describe("audit record ids", () => {
  it("are UUIDv7: version 7, RFC variant, the time in their first 48 bits, ordered by it", () => {
    const earlier = newRecordId(Date.UTC(2026, 0, 1));
    const later = newRecordId(Date.UTC(2026, 0, 1, 0, 0, 0, 1));

    for (const id of [earlier, later]) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(parseInt(earlier.replace("-", "").slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 1));
    expect(earlier < later).toBe(true);
    expect(newRecordId()).not.toBe(newRecordId());
  });
});

describe("audit digests", () => {
  it("are HMAC-SHA256 under the key, labelled by use and bound to the tenant, the same when asked again", () => {
    const reference = createHmac("sha256", KEY)
      .update("search-audit/query\ntenant-1\nsolar panels")
      .digest("hex");

    expect(keys.queryDigest("tenant-1", "solar panels")).toBe(`hmac-sha256:${reference}`);
    expect(keys.queryDigest("tenant-1", "solar panels")).toBe(`hmac-sha256:${reference}`);
    expect(keys.queryDigest("tenant-2", "solar panels")).not.toBe(`hmac-sha256:${reference}`);
    expect(keys.subjectDigest("tenant-1", "solar panels")).not.toBe(`hmac-sha256:${reference}`);
  });

  it("verify a checkpoint only under the key that signed it", () => {
    const hash = createHash("sha256").update("head").digest();
    const mac = keys.signCheckpoint("tenant-1", 7, hash);
    const rotated = new AuditKeys({ current: `${KEY} (new)`, previous: [KEY], development: false });
    const stranger = new AuditKeys({ current: `${KEY} (other)`, previous: [], development: false });

    expect(keys.verifyCheckpoint(keys.keyId, "tenant-1", 7, hash, mac)).toBe(true);
    expect(keys.verifyCheckpoint(keys.keyId, "tenant-1", 8, hash, mac)).toBe(false);
    expect(rotated.verifyCheckpoint(keys.keyId, "tenant-1", 7, hash, mac)).toBe(true);
    expect(stranger.verifyCheckpoint(keys.keyId, "tenant-1", 7, hash, mac)).toBeUndefined();
  });
});

describe("the chain hash", () => {
  it("is SHA-256 of the previous hash, the seq as 8 bytes big-endian and the canonical form", () => {
    const seq = Buffer.from([0, 0, 0, 0, 0, 0, 1, 2]);
    const reference = createHash("sha256")
      .update(Buffer.concat([GENESIS_HASH, seq, Buffer.from('["x"]')]))
      .digest();

    expect(chainHash(GENESIS_HASH, 258, '["x"]')).toEqual(reference);
  });
});
