// `npm run bench:synth`: runs the App entry (dist/stacks/main.js: synth + policy check, exactly
// what `cdktf synth` runs) in a fresh Node process, 5 times per case — cold: nothing cached
// between runs but the OS's file cache — and prints the median wall time and peak memory.
// Cases: every stack, and the infra stacks alone (SEARCH_PLATFORM_STACKS=infra).
// BENCH_RUNS changes the count; SEARCH_PLATFORM_ENVIRONMENTS benches a subset.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(__dirname, "..", "..");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const entry = join(root, "dist", "stacks", "main.js");
const preload = join(root, "scripts", "max-rss.cjs");

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function bench(label: string, extraEnv: Record<string, string>): void {
  const walls: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), "synth-bench-"));
    const rssFile = join(out, "max-rss");
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, ["--require", preload, entry], {
      cwd: root,
      env: {
        ...process.env,
        ...extraEnv,
        CDKTF_OUTDIR: join(out, "cdktf.out"),
        MAX_RSS_FILE: rssFile,
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    walls.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (run.status !== 0)
      throw new Error(`${label}: run ${i + 1} failed with exit code ${run.status}`);
    rss.push(Number(readFileSync(rssFile, "utf8")) / 1024);
    rmSync(out, { recursive: true, force: true });
  }
  console.log(`${label}, ${runs} cold runs`);
  console.log(`  wall ms:   ${walls.map((w) => w.toFixed(0)).join(", ")}`);
  console.log(`  median:    ${median(walls).toFixed(0)} ms`);
  console.log(
    `  peak RSS:  median ${median(rss).toFixed(0)} MiB, max ${Math.max(...rss).toFixed(0)} MiB`,
  );
}

console.log(`Node ${process.versions.node}; synth + policy check, as cdktf runs the app\n`);
bench("every stack (infra + workloads)", {});
bench("infra stacks only", { SEARCH_PLATFORM_STACKS: "infra" });
