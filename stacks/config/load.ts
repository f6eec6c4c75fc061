import { deepFreeze, describeIssues, type ConfigIssue } from "@search-platform/service/settings";
import { platformConfigSchema, type PlatformConfig } from "./platform-config";

/** Thrown when an environment's config is invalid; lists every invalid field at once. */
export class PlatformConfigError extends Error {
  constructor(
    readonly environment: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `Invalid config for environment "${environment}":\n` +
        issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n"),
    );
    this.name = "PlatformConfigError";
  }
}

/**
 * Validates an environment's config (after overrides) and returns it complete and frozen.
 * @throws PlatformConfigError naming the path of every invalid field.
 */
export function loadPlatformConfig(environment: string, input: unknown): PlatformConfig {
  const result = platformConfigSchema.safeParse(input);
  if (!result.success) {
    throw new PlatformConfigError(environment, describeIssues(result.error.issues, input));
  }
  return deepFreeze(result.data);
}
