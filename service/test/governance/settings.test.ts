/** The governance settings and the audit key from the environment. */
import { InvalidSettingsError, parseServiceSettings } from "../../src/config";
import { DEVELOPMENT_AUDIT_KEY, loadConfig } from "../../src/config/load";

const KEY = "k".repeat(32);

describe("the audit key", () => {
  it("fails in production without AUDIT_HMAC_KEY or AUDIT_HMAC_KMS_KEY_ID", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(
      "env.AUDIT_HMAC_KEY: must be set in production, or AUDIT_HMAC_KMS_KEY_ID to derive it through KMS (the audit trail's digests and checkpoints are keyed with it), got neither",
    );
  });

  it("is not asked of the migration Job, which neither signs nor verifies", () => {
    expect(() => loadConfig({ NODE_ENV: "production" }, { usesAuditKey: false })).not.toThrow();
  });

  it("takes the key and the earlier ones from the environment", () => {
    const { endpoints } = loadConfig({
      NODE_ENV: "production",
      AUDIT_HMAC_KEY: KEY,
      AUDIT_HMAC_PREVIOUS_KEYS: `${"a".repeat(32)}, ${"b".repeat(32)}`,
    });

    expect(endpoints.auditKeys).toEqual({
      current: KEY,
      previous: ["a".repeat(32), "b".repeat(32)],
      development: false,
    });
  });

  it("refuses a short key", () => {
    expect(() => loadConfig({ AUDIT_HMAC_KEY: "short" })).toThrow(
      'env.AUDIT_HMAC_KEY: must be at least 32 characters, got "short"',
    );
  });

  it("falls back to the development key outside production", () => {
    expect(loadConfig({}).endpoints.auditKeys).toEqual({
      current: DEVELOPMENT_AUDIT_KEY,
      previous: [],
      development: true,
    });
  });
});

describe("governance settings", () => {
  it("default to the audit behaviour each preset asks for", () => {
    const hipaa = parseServiceSettings({ governance: { compliancePreset: "hipaa" } }).governance;

    expect(hipaa.audit).toMatchObject({
      enabled: true,
      failClosed: true,
      hashQueries: true,
      retentionInDays: 2555,
      partitionsAhead: 2,
      spoolMaxRecords: 10_000,
      checkpointIntervalMs: 60_000,
    });
    expect(hipaa.businessHours.weekdays).toEqual([1, 2, 3, 4, 5]);
  });

  it.each([
    [
      { businessHours: { timeZone: "Mars/Olympus" } },
      "governance.businessHours.timeZone: must be an IANA time zone such as Europe/Berlin",
    ],
    [
      { businessHours: { startHour: 18, endHour: 8 } },
      "governance.businessHours.endHour: must be after businessHours.startHour (18), got 8",
    ],
    [{ businessHours: { weekdays: [0] } }, "governance.businessHours.weekdays[0]: Too small"],
    [{ audit: { partitionsAhead: 0 } }, "governance.audit.partitionsAhead: Too small"],
  ])("fails when %j", (governance, message) => {
    let error: unknown;
    try {
      parseServiceSettings({ governance });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as Error).message).toContain(message);
  });
});
