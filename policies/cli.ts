// `npm run policy`: synthesizes every stack (no credentials), evaluates each against its
// environment's packs and waivers, prints a table per stack and a summary, writes
// reports/policy.sarif, and exits 1 when an unwaived finding is at or above its environment's
// threshold (2 when the app cannot be synthesized).
//
//   npm run policy -- [--only-findings] [--today YYYY-MM-DD] [--sarif <file>]
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parseArgs } from "node:util";
import { buildApp } from "../stacks/app";
import { checkApp } from "./app-check";
import { isoDay } from "./engine/waivers";
import { formatReport } from "./report/table";
import { toSarif } from "./report/sarif";

const root = join(__dirname, "..", "..");
const { values: args } = parseArgs({
  options: {
    "only-findings": { type: "boolean", default: false },
    today: { type: "string" },
    sarif: { type: "string", default: "reports/policy.sarif" },
  },
});
if (args.today !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(args.today)) {
  console.error(`--today must be YYYY-MM-DD, got "${args.today}"`);
  process.exit(2);
}
const today = args.today ?? isoDay(new Date());
const cdktf = JSON.parse(readFileSync(join(root, "cdktf.json"), "utf8")) as { output?: string };
const outdir = join(root, cdktf.output ?? "cdktf.out");

let report;
try {
  // The same composition `cdktf synth` runs (stacks/main.ts), synthesized in this process.
  const app = buildApp({ env: process.env, outdir });
  app.synth();
  report = checkApp(app, today);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}

console.log(
  formatReport(report.environments, report.verdict, { onlyFindings: args["only-findings"] }),
);
const sarifPath = join(root, args.sarif);
mkdirSync(dirname(sarifPath), { recursive: true });
const sarif = toSarif(report.environments, report.stacks, {
  outdir: relative(root, outdir).split("\\").join("/"),
  environmentFile: (env) => `stacks/environments/${env}.ts`,
});
writeFileSync(sarifPath, `${JSON.stringify(sarif, null, 2)}\n`);
console.log(`\nSARIF written to ${relative(root, sarifPath)} (today is ${today})`);
if (report.verdict.fail) {
  console.error(`\n${report.verdict.text}`);
  process.exitCode = 1;
}
