import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isJsonObject, type TerraformJson } from "../terraform/json";
import type { PolicyConfig } from "./context";
import { decide, type Verdict } from "./enforce";
import { evaluateEnvironment, type EnvironmentReport } from "./evaluate";

/** A stack as cdktf wrote it. */
export interface SynthesizedStack {
  readonly name: string;
  /** Path of its `cdk.tf.json` below the output directory, e.g. `stacks/search-prod-infra/cdk.tf.json`. */
  readonly file: string;
  /** The file's text (reports point at lines in it). */
  readonly text: string;
  readonly json: TerraformJson;
}

/** Every stack listed in `<outdir>/manifest.json`, read from disk. */
export function readSynthesizedStacks(outdir: string): SynthesizedStack[] {
  const manifest: unknown = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  const stacks = isJsonObject(manifest) && isJsonObject(manifest.stacks) ? manifest.stacks : {};
  return Object.entries(stacks).map(([name, entry]) => {
    const file =
      isJsonObject(entry) && typeof entry.synthesizedStackPath === "string"
        ? entry.synthesizedStackPath
        : undefined;
    if (!file) throw new Error(`manifest.json: stack ${name} has no synthesizedStackPath`);
    const text = readFileSync(join(outdir, file), "utf8");
    return { name, file, text, json: JSON.parse(text) as TerraformJson };
  });
}

/** The policy outcome of a whole synthesized app. */
export interface AppPolicyReport {
  readonly stacks: readonly SynthesizedStack[];
  readonly environments: readonly EnvironmentReport[];
  readonly verdict: Verdict;
}

export interface CheckAppOptions {
  /** cdktf's output directory (`app.outdir`). */
  readonly outdir: string;
  /** The config of the environment a stack belongs to; a stack with none is an error. */
  readonly configFor: (stack: string) => PolicyConfig | undefined;
  /** Today, `YYYY-MM-DD` (UTC). */
  readonly today: string;
}

/**
 * Evaluates every stack cdktf wrote, environment by environment (each environment's stacks
 * linked, so cross-stack references resolve), and decides whether synth must fail.
 * @throws when a stack belongs to no environment: it would otherwise go unchecked.
 */
export function checkSynthesizedApp(options: CheckAppOptions): AppPolicyReport {
  const stacks = readSynthesizedStacks(options.outdir);
  const byEnvironment = new Map<string, { config: PolicyConfig; stacks: SynthesizedStack[] }>();
  for (const stack of stacks) {
    const config = options.configFor(stack.name);
    if (!config)
      throw new Error(
        `policy: stack ${stack.name} belongs to no environment; it cannot be checked`,
      );
    const group = byEnvironment.get(config.name) ?? { config, stacks: [] };
    group.stacks.push(stack);
    byEnvironment.set(config.name, group);
  }
  const environments = [...byEnvironment.values()].map(({ config, stacks: own }) =>
    evaluateEnvironment(
      own.map((s) => s.json),
      {
        config,
        today: options.today,
        linkedStacks: stacks.filter((s) => !own.includes(s)).map((s) => s.json),
      },
    ),
  );
  return { stacks, environments, verdict: decide(environments) };
}
