/**
 * The glue between the App and the policy engine, for the two places that synthesize the whole
 * app: `npm run policy` (cli.ts) and, from phase 2, the App entry (stacks/main.ts).
 *
 * Not exported from policies/index.ts: it imports the stacks, and the stacks may import the
 * policies' index.
 */
import type { App } from "cdktf";
import { stackNames } from "../stacks/app";
import { collectOverrides, type OverrideSources } from "../stacks/config";
import { loadEnvironments } from "../stacks/environments";
import { checkSynthesizedApp, type AppPolicyReport } from "./engine/synthesized";

/**
 * Evaluates every stack `app` wrote (call after `app.synth()`) against the config of the
 * environment it belongs to — the configs `buildApp` built it from, overrides included.
 * @param env the process environment `buildApp` read its overrides from
 * @param today `YYYY-MM-DD` (UTC): waivers expire against it
 * @throws when a synthesized stack belongs to no environment
 */
export function checkApp(app: App, env: OverrideSources["env"], today: string): AppPolicyReport {
  // The same two calls buildApp makes; a stack they do not account for is refused, not skipped.
  const configs = loadEnvironments(
    collectOverrides({ context: app.node.tryGetContext("overrides"), env }),
  );
  return checkSynthesizedApp({
    outdir: app.outdir,
    configFor: (stack) => configs.find((c) => Object.values(stackNames(c.name)).includes(stack)),
    today,
  });
}
