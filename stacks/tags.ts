import type { PlatformConfig } from "./config";

/** The tags every resource of an environment carries (provider default_tags). */
export function platformTags(config: PlatformConfig): Record<string, string> {
  return {
    ...config.tags,
    environment: config.name,
    service: "search",
    owner: config.owner,
    "compliance-preset": config.compliance.preset,
    "managed-by": "cdktf",
  };
}
