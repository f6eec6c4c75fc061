// `npm run synth`: runs the app exactly as cdktf.json says (compiled JavaScript), then prints
// what each stack would create. Needs no cloud credentials.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatSummary, summarizeSynth } from "./synth-summary";

const root = join(__dirname, "..", "..");
const { app, output = "cdktf.out" } = JSON.parse(
  readFileSync(join(root, "cdktf.json"), "utf8"),
) as {
  app: string;
  output?: string;
};

const started = process.hrtime.bigint();
const run = spawnSync(app, { cwd: root, shell: true, stdio: "inherit" });
const ms = Number(process.hrtime.bigint() - started) / 1e6;
if (run.status !== 0) process.exit(run.status ?? 1);

console.log(formatSummary(summarizeSynth(join(root, output))));
console.log(`\nsynthesized to ${output}/stacks/<stack>/cdk.tf.json in ${ms.toFixed(0)} ms`);
