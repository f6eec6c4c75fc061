/**
 * The glue between the App and the policy engine, for the two places that synthesize the whole
 * app: `npm run policy` (cli.ts) and, from phase 2, the App entry (stacks/main.ts).
 *
 * Not exported from policies/index.ts: it imports the stacks, and the stacks may import the
 * policies' index.
 */
import { stackNames, type PlatformApp } from "../stacks/app";
import { checkSynthesizedApp, type AppPolicyReport } from "./engine/synthesized";

/**
 * Evaluates every stack `app` wrote (call after `app.synth()`) against the config of the
 * environment it belongs to — the configs `buildApp` built it from, overrides included.
 * @param today `YYYY-MM-DD` (UTC): waivers expire against it
 * @throws when a synthesized stack belongs to no environment
 */
export function checkApp(app: PlatformApp, today: string): AppPolicyReport {
  return checkSynthesizedApp({
    outdir: app.outdir,
    configFor: (stack) =>
      app.environments.find((c) => Object.values(stackNames(c.name)).includes(stack)),
    today,
  });
}
