/**
 * `node service/dist/bench/cpu-probe.js <target> [options]`: CPU time per request, by process,
 * for one kind of load — what throughput figures on a shared machine cannot show.
 *
 * Targets: `ceiling` (bench/ceiling-server.ts), `cached` (audit off), `cached-audit` (audit
 * spooled, the default), `uncached` (cache off), `sql` (the SQL ceiling's loop, no HTTP).
 * Options: `--seconds N` (10), `--connections N` (32; 8 for uncached and sql), `--rounds N` (1),
 * `--rate N` (requests/s in all, open loop; default: as fast as the connections go), `--pin`
 * (the process under test on CPU 0, this process on CPU 1: steadier figures on a shared host),
 * `--settings JSON` (merged over the target's service settings, one level deep),
 * `--cpu-prof` (a V8 profile of the service process in service/.bench/profiles), `--attach CMD`
 * (runs CMD during each measured round, `{pid}` replaced by the process's id: e.g.
 * `--attach "strace -c -f -p {pid}"` for its system calls, `perf record -g -p {pid}`).
 *
 * It needs the corpus the benchmark keeps in `search_bench` (run `npm run bench:service` once).
 * For each round it prints requests/s and, per request, the CPU µs (user + system) of the
 * process under test, Redis, every PostgreSQL process, this process (the load generator) and
 * the machine as a whole (with its softirq share: loopback networking), from /proc.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { Client, Pool } from "pg";
import { SLA_TIER_NAMES } from "../src/config";
import { random, Vocabulary } from "./corpus";
import { cpuOf, cpuOfAll, machine, syscallsOf } from "./proc";
import { SEARCH_SQL_WITHOUT_RLS } from "./search-sql";

const SERVICE_DIR = path.resolve(__dirname, "../..");
const argv = process.argv.slice(2);
const target = argv[0] ?? "cached";
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const SECONDS = option("seconds", 10);
const CONNECTIONS = option("connections", target === "uncached" || target === "sql" ? 8 : 32);
const ROUNDS = option("rounds", 1);
const RATE = option("rate", 0);
const PIN = argv.includes("--pin");
const EXTRA_SETTINGS = argv.includes("--settings")
  ? (JSON.parse(argv[argv.indexOf("--settings") + 1]) as Record<string, object>)
  : {};
const PROFILE = argv.includes("--cpu-prof");
/** `--server PATH`: another build's server.js (A/B comparisons against a copy of dist/). */
const SERVER = argv.includes("--server")
  ? path.resolve(argv[argv.indexOf("--server") + 1])
  : path.join(SERVICE_DIR, "dist/src/server.js");
const ATTACH = argv.includes("--attach") ? argv[argv.indexOf("--attach") + 1] : undefined;
const PG = { host: "127.0.0.1", port: 5432, user: "postgres", database: "search_bench" };
const REDIS_URL = "redis://127.0.0.1:6379";
const PREFIX = "probe:";
interface Sample {
  service: number;
  serviceReads: number;
  serviceWrites: number;
  redis: number;
  postgres: number;
  self: number;
  busy: number;
  softirq: number;
}

function sample(servicePid: number | undefined): Sample {
  const self = process.cpuUsage();
  const m = machine();
  const io = servicePid ? syscallsOf(servicePid) : { reads: 0, writes: 0 };
  return {
    service: servicePid ? cpuOf(servicePid) : 0,
    serviceReads: io.reads,
    serviceWrites: io.writes,
    redis: cpuOfAll("redis-server"),
    postgres: cpuOfAll("postgres"),
    self: self.user + self.system,
    busy: m.busy,
    softirq: m.softirq,
  };
}

async function main(): Promise<void> {
  if (PIN) execFileSync("taskset", ["-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
  const meta = new Client(PG);
  await meta.connect();
  const { rows } = await meta.query<{ tenants: { tenantId: string; apiKey: string }[] }>(
    "SELECT tenants FROM public.bench_corpus",
  );
  await meta.end();
  const tenants = rows[0].tenants;
  const vocabulary = new Vocabulary(30_000, 1.0, 20261122);
  const rand = random(20261122 + 1);
  const queryPool = Array.from({ length: 5_000 }, () => vocabulary.query(rand));
  const cachedPool = queryPool.slice(0, 50);
  const pool = target.startsWith("cached") ? cachedPool : queryPool;
  const headers = tenants.map((t) => ({ authorization: `Bearer ${t.apiKey}` }));
  let n = 0;
  const next = () => {
    const i = n++;
    return {
      path: `/v1/search?q=${encodeURIComponent(pool[i % pool.length])}`,
      headers: headers[i % headers.length],
    };
  };

  const dir = mkdtempSync(path.join(tmpdir(), "cpu-probe-"));
  const children: ChildProcess[] = [];
  const redis = new Redis(REDIS_URL);
  try {
    let url = "";
    let pid: number | undefined;
    if (target === "ceiling") {
      // A cached response of the median size, as the benchmark sends.
      const service = await startService(dir, children, {
        governance: { audit: { enabled: false } },
      });
      const bodies: string[] = [];
      for (let i = 0; i < 200; i++) {
        const r = next();
        bodies.push(await (await fetch(service.url + r.path, { headers: r.headers })).text());
      }
      await stop(service.child);
      const sampleBody = bodies.sort((a, b) => a.length - b.length)[bodies.length >> 1];
      await redis.set(`${PREFIX}ceiling`, sampleBody);
      const port = 18_000 + Math.floor(Math.random() * 20_000);
      const child = spawn(
        PIN ? "taskset" : process.execPath,
        [
          ...(PIN ? ["-c", "0", process.execPath] : []),
          ...profileArgs("ceiling"),
          path.join(SERVICE_DIR, "dist/bench/ceiling-server.js"),
        ],
        {
          env: { ...process.env, PORT: String(port), REDIS_URL, CEILING_KEY: `${PREFIX}ceiling` },
          stdio: ["ignore", "ignore", "inherit"],
        },
      );
      children.push(child);
      url = `http://127.0.0.1:${port}`;
      await waitFor(`${url}/value`);
      pid = child.pid;
    } else if (target !== "sql") {
      const settings =
        target === "cached"
          ? { governance: { audit: { enabled: false } } }
          : target === "uncached"
            ? { cache: { enabled: false } }
            : {};
      const service = await startService(dir, children, settings);
      url = service.url;
      pid = service.child.pid;
    }

    const load =
      target === "sql"
        ? (seconds: number) =>
            sqlLoop(
              tenants.map((t) => t.tenantId),
              queryPool,
              seconds,
            )
        : (seconds: number) =>
            autocannonLoad(url, target === "ceiling" ? () => ({ path: "/value" }) : next, seconds);
    await load(3); // warm-up (fills the cache for the cached targets)
    for (let round = 0; round < ROUNDS; round++) {
      const attached =
        ATTACH && pid
          ? spawn("sh", ["-c", "exec " + ATTACH.replaceAll("{pid}", String(pid))], {
              stdio: "inherit",
            })
          : undefined;
      const before = sample(pid);
      const t0 = performance.now();
      const requests = await load(SECONDS);
      const elapsed = (performance.now() - t0) / 1000;
      const after = sample(pid);
      if (attached) {
        const exited = new Promise((resolve) => attached.once("exit", resolve));
        attached.kill("SIGINT");
        await exited;
      }
      const per = (k: keyof Sample, digits = 0) =>
        ((after[k] - before[k]) / requests).toFixed(digits).padStart(5);
      console.log(
        `${target.padEnd(12)} ${(requests / elapsed).toFixed(0).padStart(6)} req/s  µs/request: ` +
          `process ${per("service")}  redis ${per("redis")}  postgres ${per("postgres")}  ` +
          `loadgen ${per("self")}  machine ${per("busy")} (softirq ${per("softirq")});  ` +
          `process system calls/request: ${per("serviceReads", 2)} reads, ${per("serviceWrites", 2)} writes`,
      );
    }
  } finally {
    await sqlPool?.end();
    await Promise.all(children.map(stop));
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
  }
}

function profileArgs(name: string): string[] {
  return PROFILE
    ? [
        "--cpu-prof",
        `--cpu-prof-dir=${path.join(SERVICE_DIR, ".bench/profiles")}`,
        `--cpu-prof-name=probe-${name}.cpuprofile`,
      ]
    : [];
}

async function startService(
  dir: string,
  children: ChildProcess[],
  settings: object,
): Promise<{ url: string; child: ChildProcess }> {
  const unlimited = Object.fromEntries(
    SLA_TIER_NAMES.map((t) => [t, { search: 1e9, write: 1e9, bulk: 1e9, read: 1e9, delete: 1e9 }]),
  );
  const file = path.join(dir, `${target}-${children.length}.json`);
  const merged: Record<string, object> = { ...settings };
  for (const [k, v] of Object.entries(EXTRA_SETTINGS)) merged[k] = { ...merged[k], ...v };
  writeFileSync(
    file,
    JSON.stringify({
      ...merged,
      environment: "bench",
      redis: { keyPrefix: PREFIX },
      rateLimits: { tiers: unlimited, perIpPerMinute: 1e9 },
    }),
  );
  const port = 18_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [...profileArgs(target), SERVER], {
    env: {
      ...process.env,
      PORT: String(port),
      PGDATABASE: "search_bench",
      PGUSER: "search_app",
      REDIS_URL,
      SERVICE_CONFIG: file,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health/startup`);
  return { url, child };
}

async function autocannonLoad(
  url: string,
  next: () => { path: string; headers?: Record<string, string> },
  seconds: number,
): Promise<number> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    overallRate: RATE || undefined,
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  });
  if (result.non2xx || result.errors) {
    console.error(`  (${result.non2xx} non-2xx, ${result.errors} errors)`);
  }
  return result.requests.total;
}

/**
 * The connections of the SQL ceiling's loop: one pool for the warm-up and every round, ended
 * at exit (a backend that exits inside a round would bring its earlier time into it).
 */
let sqlPool: Pool | undefined;

/** The benchmark's SQL ceiling loop (bench.ts `sqlCeiling`), counting queries. */
async function sqlLoop(tenantIds: string[], queries: string[], seconds: number): Promise<number> {
  const pool = (sqlPool ??= new Pool({ ...PG, max: CONNECTIONS }));
  const sql = SEARCH_SQL_WITHOUT_RLS;
  let n = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const i = n++;
        await pool.query(sql, [tenantIds[i % tenantIds.length], queries[i % queries.length], 21]);
      }
    }),
  );
  return n;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(url).then(
        (r) => r.status === 200,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
