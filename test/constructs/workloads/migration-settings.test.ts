import { parseServiceSettings } from "@search-platform/service/settings";
import { migrationSettingsOf } from "../../../constructs/workloads";

describe("migrationSettingsOf", () => {
  // GIVEN the settings of a service that signs in with IAM under a tight statement deadline
  const settings = parseServiceSettings({
    postgres: { auth: "iam", sslMode: "verify-full", statementTimeoutMs: 2_000 },
    resilience: {
      postgresWriter: { timeoutMs: 3_000 },
      postgresReader: { timeoutMs: 3_000 },
    },
    governance: { compliancePreset: "hipaa" },
  });

  it("signs the Job in with the owner's password and gives it the longest statement deadline", () => {
    // WHEN the migration's settings are derived
    const migration = migrationSettingsOf(settings);
    // THEN only the sign-in and the deadlines differ
    expect(migration.postgres).toEqual({
      ...settings.postgres,
      auth: "password",
      statementTimeoutMs: 30_000,
    });
    expect(migration.resilience.postgresWriter.timeoutMs).toBe(31_000);
    expect(migration.resilience.postgresReader.timeoutMs).toBe(31_000);
    expect(migration.governance).toEqual(settings.governance);
    expect(migration.redis).toEqual(settings.redis);
  });
});
