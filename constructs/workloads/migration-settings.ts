import { parseServiceSettings, type ServiceSettings } from "@search-platform/service/settings";

/** The longest statement deadline the service's schema allows (REFERENCE.md: 30 s). */
const LONGEST_STATEMENT_MS = 30_000;

/**
 * The settings of the migration Job: the service's, except that it signs in as the database
 * owner with the password the secret store delivers (the owner has no `rds_iam` grant, and
 * IAM tokens are the application role's), and its statements get the longest deadline the
 * schema allows (building an index takes time).
 */
export function migrationSettingsOf(settings: ServiceSettings): ServiceSettings {
  const clientTimeoutMs = LONGEST_STATEMENT_MS + 1_000;
  return parseServiceSettings(
    {
      ...settings,
      postgres: {
        ...settings.postgres,
        auth: "password",
        statementTimeoutMs: LONGEST_STATEMENT_MS,
      },
      resilience: {
        ...settings.resilience,
        postgresWriter: { ...settings.resilience.postgresWriter, timeoutMs: clientTimeoutMs },
        postgresReader: { ...settings.resilience.postgresReader, timeoutMs: clientTimeoutMs },
      },
    },
    "the migration Job's settings",
  );
}
