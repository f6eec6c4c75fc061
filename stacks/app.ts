import { App } from "cdktf";
import { collectOverrides, type OverrideSources, type PlatformConfig } from "./config";
import { loadEnvironments } from "./environments";
import { InfraStack } from "./infra-stack";
import { WorkloadsStack } from "./workloads-stack";

export interface BuildAppOptions {
  /** Environment variables to read overrides and the environment filter from. */
  readonly env: OverrideSources["env"];
  /** Where to write cdktf.out; cdktf's default when absent. */
  readonly outdir?: string;
}

/** Stack names of one environment. */
export const stackNames = (env: string) => ({
  infra: `search-${env}-infra`,
  workloads: `search-${env}-workloads`,
});

/** The App, and the validated config of every environment it holds stacks for. */
export class PlatformApp extends App {
  readonly environments: PlatformConfig[] = [];
}

/**
 * Composes every environment's stacks into one App. Tests call this; `main.ts` calls it and
 * synthesizes. SEARCH_PLATFORM_ENVIRONMENTS (comma-separated names) restricts which
 * environments are built; SEARCH_PLATFORM_STACKS=infra leaves the workloads stacks out.
 */
export function buildApp(options: BuildAppOptions): PlatformApp {
  const app = new PlatformApp({ outdir: options.outdir });
  const overrides = collectOverrides({
    context: app.node.tryGetContext("overrides"),
    env: options.env,
  });
  const kinds = options.env.SEARCH_PLATFORM_STACKS ?? "infra,workloads";
  if (!["infra", "infra,workloads"].includes(kinds)) {
    throw new Error(
      `SEARCH_PLATFORM_STACKS must be "infra" or "infra,workloads" (the workloads stack reads the infra stack's outputs), got "${kinds}"`,
    );
  }
  const only = options.env.SEARCH_PLATFORM_ENVIRONMENTS?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

  for (const config of loadEnvironments(overrides)) {
    if (only && !only.includes(config.name)) continue;
    app.environments.push(config);
    const names = stackNames(config.name);
    const infra = new InfraStack(app, names.infra, { config });
    if (kinds === "infra") continue;
    const workloads = new WorkloadsStack(app, names.workloads, { config, infra: infra.outputs });
    // Cross-stack references already order the two; stated so that `cdktf deploy` of both
    // applies the infra stack first even if a refactor drops the last reference.
    workloads.addDependency(infra);
  }
  return app;
}
