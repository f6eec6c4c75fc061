/**
 * `npm run bench:service`: throughput and latency of the search service against ceilings
 * measured on the same machine in the same run.
 *
 * 1. Corpus: 200,000 documents over 20 enterprise tenants, words drawn from a Zipf-distributed
 *    vocabulary (seeded, so every run builds the same corpus). Loaded once into the database
 *    `search_bench` with multi-row INSERTs (indexes built after the load) and kept between runs;
 *    `--fresh` rebuilds it. It is reloaded by itself when the corpus parameters or the
 *    migrations change.
 * 2. Phases, load from 127.0.0.1 only (autocannon in this process). A target compares a
 *    phase with its ceiling measured in the same alternating rounds (A, B, A, B, ..., requests
 *    pooled per phase): on this shared machine the load moves within a minute, and phases
 *    measured one after the other would compare different loads.
 *    - in alternating rounds: the ceiling, a bare express endpoint sending one Redis value (a
 *      typical cached search response), and cached search (every query answered from Redis
 *      after a warm-up) with the audit trail off (the issue-3 target), spooled (the default: the
 *      response does not wait for its record) and fail-closed (every response waits for its
 *      record's group commit);
 *    - in alternating rounds: uncached search, through a service with `cache.enabled: false`,
 *      and the same search SQL run directly by the superuser (no row-level security), from a
 *      loop in this process with the same concurrency: the database's own ceiling;
 *    - uncached search at a fixed 100 requests/s (latency target);
 *    - search while Redis is down: a third service process whose REDIS_URL points at a port
 *      where nothing listens (its Redis breaker opens during the warm-up; no cache, rate limits
 *      in memory, reads on the writer);
 *    - single-document ingest and bulk ingest (500 documents a request) into a tenant of its
 *      own, emptied at the start of each run.
 * Rate limits are set out of reach by a bench-only settings file. Everything stops by itself.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { Agent, request as httpRequest } from "node:http";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import { Client, Pool } from "pg";
import { createDependencies } from "../src/adapters/dependency";
import { Database } from "../src/adapters/postgres/database";
import { loadMigrations, migrate } from "../src/adapters/postgres/migrations";
import { SLA_TIER_NAMES, type ServiceSettingsInput } from "../src/config";
import { createTenant } from "../src/domain/tenants";
import { random, Vocabulary } from "./corpus";
import { cpuOfAll } from "./proc";
import { SEARCH_SQL_WITHOUT_RLS } from "./search-sql";

const CORPUS = {
  seed: 20261122,
  tenants: 20,
  documents: 200_000,
  vocabulary: 30_000,
  zipfExponent: 1.0,
  titleWords: [3, 8],
  bodyWords: [40, 120],
} as const;
const DATABASE = "search_bench";
const REDIS_PREFIX = "bench:";
const PG = {
  host: process.env.PGHOST ?? "127.0.0.1",
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? "postgres",
  password: process.env.PGPASSWORD,
};
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SERVICE_DIR = path.resolve(__dirname, "../..");
/** The service's default page size (settings.limits.defaultPageSize): requests send no limit. */
const PAGE_SIZE = 20;
const CATEGORIES = ["news", "blog", "docs", "legal", "sales", "support", "hr", "research"];

const args = new Set(process.argv.slice(2));
/** `--quick`: shorter phases (a smoke run; figures are not comparable). */
const SCALE = args.has("--quick") ? 0.3 : 1;
const seconds = (s: number) => Math.max(2, Math.round(s * SCALE));

interface PhaseResult {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly errors: number;
  readonly extra?: string;
  /** PostgreSQL's CPU µs per request (all its processes), where the phase measured it. */
  readonly postgresUsPerRequest?: number;
}

const children: ChildProcess[] = [];

async function main(): Promise<void> {
  const started = Date.now();
  log(
    `node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (2 cores, shared: expect noise)`,
  );
  const vocabulary = new Vocabulary(CORPUS.vocabulary, CORPUS.zipfExponent, CORPUS.seed);
  const tenants = await ensureCorpus(vocabulary);
  const keys = tenants.search.map((t) => t.apiKey);

  const dir = mkdtempSync(path.join(tmpdir(), "search-bench-"));
  const cached = await startService(dir, "cached", {});
  const uncached = await startService(dir, "uncached", { cache: { enabled: false } });
  const auditOff = await startService(dir, "audit-off", {
    governance: { audit: { enabled: false } },
  });
  const auditClosed = await startService(dir, "audit-fail-closed", {
    governance: { audit: { failClosed: true } },
  });
  const redisDown = await startService(dir, "redis-down", {}, { REDIS_URL: await deadRedisUrl() });
  const redis = new Redis(REDIS_URL);
  const results: PhaseResult[] = [];
  try {
    const rand = random(CORPUS.seed + 1);
    const queryPool = Array.from({ length: 5_000 }, () => vocabulary.query(rand));
    const cachedPool = queryPool.slice(0, 50);
    const searchPath = (q: string) => `/v1/search?q=${encodeURIComponent(q)}`;

    // Warm-up: JIT, pools, and every (tenant, query) pair of the cached phase into the cache.
    const bodies: string[] = [];
    for (const key of keys) {
      for (const q of cachedPool) {
        const res = await fetch(`${cached.url}${searchPath(q)}`, {
          headers: { authorization: `Bearer ${key}` },
        });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`warm-up search failed: ${res.status} ${text}`);
        bodies.push(text);
      }
    }
    await run(
      "warm-up (uncached)",
      uncached.url,
      { connections: 4, duration: 3 },
      cycle(keys, queryPool, searchPath),
    );

    // The ceiling sends a response of the median size of those the cached phase sends.
    const sample = bodies.sort((a, b) => a.length - b.length)[bodies.length >> 1];
    const ceilingKey = `${REDIS_PREFIX}ceiling`;
    await redis.set(ceilingKey, sample);
    const ceiling = await startCeiling(ceilingKey);
    await run("warm-up (ceiling)", ceiling.url, { connections: 16, duration: 2 }, () => ({
      path: "/value",
    }));
    log(`cached responses: median ${sample.length} bytes (the ceiling sends one that size)`);

    // The ceiling and the same cached searches (the cache is shared), audit off, spooled and
    // fail-closed, in alternating rounds.
    for (const service of [auditOff, auditClosed]) {
      await run(
        "warm-up (audit)",
        service.url,
        { connections: 16, duration: 3 },
        cycle(keys, cachedPool, searchPath),
      );
    }
    const cachedLoad = { connections: 32, duration: seconds(4) };
    results.push(
      ...(await alternating(
        [
          ["express + Redis GET (ceiling)", ceiling.url, () => ({ path: "/value" })] as const,
          ["search, cached, audit off", auditOff.url, cycle(keys, cachedPool, searchPath)] as const,
          [
            "search, cached, audit spooled",
            cached.url,
            cycle(keys, cachedPool, searchPath),
          ] as const,
          [
            "search, cached, audit fail-closed",
            auditClosed.url,
            cycle(keys, cachedPool, searchPath),
          ] as const,
        ].map(([name, url, next]) => ({
          name,
          measure: (pool: Pooled) => load(url, cachedLoad, next, pool),
        })),
        4,
      )),
    );
    // Uncached search and the same SQL run directly, in alternating rounds.
    const uncachedPaths = cycle(keys, queryPool, searchPath);
    const tenantIds = tenants.search.map((t) => t.tenantId);
    const sqlConnections = new Pool({ ...PG, database: DATABASE, max: 8 });
    let sqlQueries = 0;
    results.push(
      ...(await alternating(
        [
          {
            name: "search, uncached (service, RLS)",
            measure: (pool: Pooled) =>
              load(uncached.url, { connections: 8, duration: seconds(5) }, uncachedPaths, pool),
          },
          {
            name: "search SQL, no RLS (ceiling)",
            measure: async (pool: Pooled) => {
              sqlQueries = await sqlCeiling(sqlConnections, tenantIds, queryPool, sqlQueries, {
                concurrency: 8,
                seconds: seconds(5),
                pool,
              });
            },
          },
        ],
        3,
      )),
    );
    await sqlConnections.end();
    await run(
      "warm-up (Redis down)",
      redisDown.url,
      { connections: 4, duration: 3 },
      cycle(keys, queryPool, searchPath),
    );
    results.push(
      await run(
        "search while Redis is down",
        redisDown.url,
        { connections: 8, duration: seconds(15) },
        cycle(keys, queryPool, searchPath),
      ),
    );
    results.push(
      await paced(
        "search, uncached at 100 req/s",
        uncached.url,
        100,
        seconds(20),
        cycle(keys, queryPool.slice(2_500), searchPath),
      ),
    );

    let n = 0;
    const runId = Date.now().toString(36);
    const ingestKey = tenants.ingest.apiKey;
    const docJson = (i: number) => {
      const r = random(i);
      return {
        externalId: `ingest-${runId}-${i}`,
        title: vocabulary.text(r, 5),
        body: vocabulary.text(r, 80),
        fields: { category: CATEGORIES[i % CATEGORIES.length] },
      };
    };
    results.push(
      await run(
        "ingest, one document",
        cached.url,
        { connections: 16, duration: seconds(10) },
        () => ({
          method: "POST",
          path: "/v1/documents",
          headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
          body: JSON.stringify(docJson(n++)),
        }),
      ),
    );
    const BULK = 500;
    const bulk = await run(
      "ingest, bulk of 500",
      cached.url,
      { connections: 4, duration: seconds(15) },
      () => ({
        method: "POST",
        path: "/v1/documents/bulk",
        headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
        body: JSON.stringify({ documents: Array.from({ length: BULK }, () => docJson(n++)) }),
      }),
    );
    results.push({ ...bulk, extra: `${Math.round(bulk.requestsPerSecond * BULK)} documents/s` });

    await stop(ceiling.process);
    report(results, BULK);
    log(
      `done in ${Math.round((Date.now() - started) / 1000)} s; database ${DATABASE} kept for the next run (--fresh rebuilds it)`,
    );
  } finally {
    await Promise.all(children.map(stop));
    await deleteKeys(redis, REDIS_PREFIX);
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Corpus
// ---------------------------------------------------------------------------------------------

interface BenchTenant {
  tenantId: string;
  apiKey: string;
}

async function ensureCorpus(
  vocabulary: Vocabulary,
): Promise<{ search: BenchTenant[]; ingest: BenchTenant }> {
  const signature = createHash("sha256")
    .update(JSON.stringify(CORPUS))
    .update(
      loadMigrations()
        .map((m) => m.checksum)
        .join(),
    )
    .digest("hex");
  const admin = new Client({ ...PG, database: "postgres" });
  await admin.connect();
  try {
    const exists =
      (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE])).rowCount ===
      1;
    if (exists && !args.has("--fresh")) {
      const client = new Client({ ...PG, database: DATABASE });
      await client.connect();
      try {
        const meta = await client
          .query<{ signature: string; tenants: BenchTenant[]; ingest: BenchTenant }>(
            "SELECT signature, tenants, ingest FROM public.bench_corpus",
          )
          .catch(() => ({
            rows: [] as { signature: string; tenants: BenchTenant[]; ingest: BenchTenant }[],
          }));
        if (meta.rows[0]?.signature === signature) {
          await client.query("DELETE FROM search.documents WHERE tenant_id = $1", [
            meta.rows[0].ingest.tenantId,
          ]);
          // The previous run's audit trail: emptied as only a superuser can (triggers off).
          await client.query("SET session_replication_role = replica");
          await client.query(
            "TRUNCATE search.audit_log, search.audit_heads, search.audit_checkpoints",
          );
          await client.query("SET session_replication_role = DEFAULT");
          await client.query("VACUUM ANALYZE search.documents");
          log(`reusing the corpus in ${DATABASE}`);
          return { search: meta.rows[0].tenants, ingest: meta.rows[0].ingest };
        }
      } finally {
        await client.end();
      }
    }
    if (exists) await admin.query(`DROP DATABASE ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return loadCorpus(vocabulary, signature);
}

async function loadCorpus(
  vocabulary: Vocabulary,
  signature: string,
): Promise<{ search: BenchTenant[]; ingest: BenchTenant }> {
  const t0 = performance.now();
  const client = new Client({ ...PG, database: DATABASE });
  await client.connect();
  await migrate(client);
  const pool = new Pool({ ...PG, database: DATABASE, max: 2, pipeline: true });
  const owner = new Database("writer", pool, createDependencies().postgresWriter, 600_000);
  const search: BenchTenant[] = [];
  for (let i = 0; i < CORPUS.tenants; i++)
    search.push(await createTenant(owner, `bench ${i}`, "enterprise"));
  const ingest = await createTenant(owner, "bench ingest", "enterprise");

  // Indexes are built once after the load: much faster than maintaining them row by row. Their
  // definitions are the migrations', read back before they are dropped.
  const { rows: indexes } = await client.query<{ definition: string }>(
    `SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index
     WHERE indexrelid IN ('search.documents_search'::regclass, 'search.documents_title_trgm'::regclass)`,
  );
  await client.query("DROP INDEX search.documents_search, search.documents_title_trgm");
  const rand = random(CORPUS.seed);
  const between = ([lo, hi]: readonly [number, number]) => lo + Math.floor(rand() * (hi - lo + 1));
  const BATCH = 2_000;
  const inserts: Promise<unknown>[] = [];
  for (let start = 0; start < CORPUS.documents; start += BATCH) {
    const cols: [string[], string[], string[], string[], string[]] = [[], [], [], [], []];
    for (let i = start; i < Math.min(start + BATCH, CORPUS.documents); i++) {
      cols[0].push(search[i % CORPUS.tenants].tenantId);
      cols[1].push(`doc-${i}`);
      cols[2].push(vocabulary.text(rand, between(CORPUS.titleWords)));
      cols[3].push(vocabulary.text(rand, between(CORPUS.bodyWords)));
      cols[4].push(JSON.stringify({ category: CATEGORIES[i % CATEGORIES.length] }));
    }
    inserts.push(
      pool.query(
        `INSERT INTO search.documents (tenant_id, external_id, title, body, fields)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
        cols,
      ),
    );
    if (inserts.length === 2) await Promise.all(inserts.splice(0));
  }
  await Promise.all(inserts);
  log(
    `inserted ${CORPUS.documents} documents in ${Math.round((performance.now() - t0) / 1000)} s; building indexes`,
  );
  await client.query("SET maintenance_work_mem = '512MB'");
  await client.query("SET ROLE search_owner");
  for (const { definition } of indexes) await client.query(definition);
  await client.query("RESET ROLE");
  await client.query("VACUUM ANALYZE search.documents");
  await client.query(
    "CREATE TABLE public.bench_corpus (signature text, tenants jsonb, ingest jsonb)",
  );
  await client.query("INSERT INTO public.bench_corpus VALUES ($1, $2, $3)", [
    signature,
    JSON.stringify(search),
    JSON.stringify(ingest),
  ]);
  await client.end();
  await pool.end();
  log(`corpus ready in ${Math.round((performance.now() - t0) / 1000)} s`);
  return { search, ingest };
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

async function startService(
  dir: string,
  name: string,
  settings: ServiceSettingsInput,
  environment: Record<string, string> = {},
): Promise<{ url: string; process: ChildProcess }> {
  const unlimited = Object.fromEntries(
    SLA_TIER_NAMES.map((t) => [t, { search: 1e9, write: 1e9, bulk: 1e9, read: 1e9, delete: 1e9 }]),
  );
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      ...settings,
      environment: "bench",
      redis: { keyPrefix: REDIS_PREFIX },
      rateLimits: { tiers: unlimited, perIpPerMinute: 1e9 },
    }),
  );
  const port = 18_000 + Math.floor(Math.random() * 20_000);
  // `--profile`: V8 CPU profiles of the service processes, in service/.bench/profiles.
  const profile = args.has("--profile")
    ? [
        "--cpu-prof",
        `--cpu-prof-dir=${path.join(SERVICE_DIR, ".bench/profiles")}`,
        `--cpu-prof-name=${name}.cpuprofile`,
      ]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, path.join(SERVICE_DIR, "dist/src/server.js")],
    {
      env: {
        ...process.env,
        PORT: String(port),
        PGDATABASE: DATABASE,
        PGUSER: "search_app",
        REDIS_URL,
        SERVICE_CONFIG: file,
        ...environment,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health/startup`);
  return { url, process: child };
}

/** A Redis URL on a local port where nothing listens (connections refused at once). */
async function deadRedisUrl(): Promise<string> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `redis://127.0.0.1:${port}`;
}

async function startCeiling(key: string): Promise<{ url: string; process: ChildProcess }> {
  const port = 18_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [path.join(SERVICE_DIR, "dist/bench/ceiling-server.js")], {
    env: { ...process.env, PORT: String(port), REDIS_URL, CEILING_KEY: key },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/value`);
  return { url, process: child };
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

// ---------------------------------------------------------------------------------------------
// Load
// ---------------------------------------------------------------------------------------------

interface Request {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Round-robin over tenants, queries drawn in order from the pool. */
function cycle(
  keys: readonly string[],
  queries: readonly string[],
  toPath: (q: string) => string,
): () => Request {
  let i = 0;
  const headers = keys.map((k) => ({ authorization: `Bearer ${k}` }));
  return () => {
    const n = i++;
    return { path: toPath(queries[n % queries.length]), headers: headers[n % headers.length] };
  };
}

async function run(
  name: string,
  url: string,
  options: { connections: number; duration: number; overallRate?: number },
  next: () => Request,
): Promise<PhaseResult> {
  const latencies: number[] = [];
  let errors = 0;
  const instance = autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    overallRate: options.overallRate,
    timeout: 30,
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    latencies.push(ms);
    if (status >= 300) errors++;
  });
  const result = await instance;
  const phase = summarize(
    name,
    latencies,
    result.duration,
    errors + result.errors + result.timeouts,
  );
  if (!name.startsWith("warm-up")) log(line(phase));
  return phase;
}

/** A phase's requests pooled over its rounds. */
interface Pooled {
  readonly latencies: number[];
  seconds: number;
  errors: number;
  /** PostgreSQL's CPU µs during this phase's rounds (from /proc). */
  postgresUs: number;
}

/**
 * Phases measured in alternating rounds (A, B, C, A, B, C, ...), their requests pooled per
 * phase: on a shared machine the load moves within a minute, and phases measured one after the
 * other would compare different loads.
 */
async function alternating(
  phases: readonly { name: string; measure: (pool: Pooled) => Promise<void> }[],
  rounds: number,
): Promise<PhaseResult[]> {
  const pooled: Pooled[] = phases.map(() => ({
    latencies: [],
    seconds: 0,
    errors: 0,
    postgresUs: 0,
  }));
  for (let round = 0; round < rounds; round++) {
    for (const [i, phase] of phases.entries()) {
      const before = cpuOfAll("postgres");
      await phase.measure(pooled[i]);
      pooled[i].postgresUs += cpuOfAll("postgres") - before;
    }
  }
  return phases.map((phase, i) => {
    const { latencies, seconds, errors, postgresUs } = pooled[i];
    const r = {
      ...summarize(phase.name, latencies, seconds, errors),
      postgresUsPerRequest: postgresUs / latencies.length,
    };
    log(line(r));
    return r;
  });
}

/** One round of closed-loop load with autocannon, added to `pool`. */
async function load(
  url: string,
  options: { connections: number; duration: number },
  next: () => Request,
  pool: Pooled,
): Promise<void> {
  const instance = autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    timeout: 30,
    requests: [{ setupRequest: (req) => ({ ...req, ...next() }) }],
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    pool.latencies.push(ms);
    if (status >= 300) pool.errors++;
  });
  const result = await instance;
  pool.seconds += result.duration;
  pool.errors += result.errors + result.timeouts;
}

/**
 * Open-loop load at a fixed rate: one request every 1000/rate ms, on schedule whatever the
 * previous ones are doing, latency measured from the scheduled send to the last byte. (autocannon's
 * `overallRate` releases each second's quota at once, a burst that measures its own queue.)
 */
async function paced(
  name: string,
  url: string,
  rate: number,
  durationSeconds: number,
  next: () => Request,
): Promise<PhaseResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const interval = 1000 / rate;
  const total = Math.round(rate * durationSeconds);
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const req = next();
    inFlight.push(
      new Promise<void>((resolve) => {
        const r = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            path: req.path,
            method: req.method ?? "GET",
            headers: req.headers,
            agent,
          },
          (res) => {
            res.resume();
            res.on("end", () => {
              latencies.push(performance.now() - due);
              if ((res.statusCode ?? 500) >= 300) errors++;
              resolve();
            });
          },
        );
        r.on("error", () => {
          errors++;
          resolve();
        });
        r.end(req.body);
      }),
    );
  }
  await Promise.all(inFlight);
  agent.destroy();
  const phase = summarize(name, latencies, (performance.now() - start) / 1000, errors);
  log(line(phase));
  return phase;
}

/**
 * One round of the SQL ceiling: the search function's SQL, inlined, run by the superuser (no
 * RLS) with an explicit tenant, from `concurrency` loops on `connections` (kept across rounds,
 * as the service keeps its pools); added to `pool`. Queries continue from `start` in the query
 * pool (the service's rounds move through theirs too); returns where this round stopped.
 */
async function sqlCeiling(
  connections: Pool,
  tenantIds: readonly string[],
  queries: readonly string[],
  start: number,
  options: { concurrency: number; seconds: number; pool: Pooled },
): Promise<number> {
  const sql = SEARCH_SQL_WITHOUT_RLS;
  const run = (i: number) =>
    connections.query(sql, [
      tenantIds[i % tenantIds.length],
      queries[i % queries.length],
      PAGE_SIZE + 1,
    ]);
  // First round: warm the connections like the service's warm-up.
  if (start === 0) await Promise.all(Array.from({ length: options.concurrency }, (_, i) => run(i)));
  let n = start;
  const end = performance.now() + options.seconds * 1000;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await run(n++);
        options.pool.latencies.push(performance.now() - t);
      }
    }),
  );
  options.pool.seconds += (performance.now() - began) / 1000;
  return n;
}

function summarize(
  name: string,
  latencies: number[],
  durationSeconds: number,
  errors: number,
): PhaseResult {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) =>
    sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    name,
    requestsPerSecond: latencies.length / durationSeconds,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    errors,
  };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function line(r: PhaseResult): string {
  const ms = (v: number) => `${v.toFixed(1).padStart(6)} ms`;
  return `${r.name.padEnd(34)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${ms(r.p50)}  p95 ${ms(r.p95)}  p99 ${ms(r.p99)}${r.errors ? `   ${r.errors} errors` : ""}${r.extra ? `   (${r.extra})` : ""}`;
}

function report(results: readonly PhaseResult[], bulkSize: number): void {
  const get = (name: string) => results.find((r) => r.name === name)!;
  const ceiling = get("express + Redis GET (ceiling)");
  const auditOff = get("search, cached, audit off");
  const auditSpooled = get("search, cached, audit spooled");
  const auditClosed = get("search, cached, audit fail-closed");
  const uncached = get("search, uncached (service, RLS)");
  const sql = get("search SQL, no RLS (ceiling)");
  const fixed = get("search, uncached at 100 req/s");
  const redisDown = get("search while Redis is down");
  const bulk = get("ingest, bulk of 500");
  const check = (ok: boolean) => (ok ? "meets" : "MISSES");
  const percent = (a: PhaseResult, b: PhaseResult) =>
    `${((a.requestsPerSecond / b.requestsPerSecond) * 100).toFixed(0).padStart(4)}%`;
  const row = (label: string, value: string, note: string) =>
    console.log(`  ${label.padEnd(42)} ${value}   ${note}`);
  console.log("\nResults (one run; the machine is shared, so compare ratios, not absolutes)\n");
  for (const r of results) console.log(`  ${line(r)}`);
  console.log("\nTargets (each against its ceiling, measured in the same alternating rounds)\n");
  const cachedRatio = auditOff.requestsPerSecond / ceiling.requestsPerSecond;
  row(
    "cached (audit off) / ceiling throughput",
    percent(auditOff, ceiling),
    `target ≥ 60%   ${check(cachedRatio >= 0.6)}`,
  );
  row(
    "  cached, audit spooled / ceiling",
    percent(auditSpooled, ceiling),
    "(beside it: the default)",
  );
  row("  cached, audit fail-closed / ceiling", percent(auditClosed, ceiling), "(beside it)");
  const uncachedRatio = uncached.requestsPerSecond / sql.requestsPerSecond;
  row(
    "uncached / SQL-without-RLS throughput",
    percent(uncached, sql),
    `target ≥ 90%   ${check(uncachedRatio >= 0.9)}`,
  );
  row(
    "  PostgreSQL CPU per search: uncached / SQL",
    `${((uncached.postgresUsPerRequest! / sql.postgresUsPerRequest!) * 100).toFixed(0).padStart(4)}%`,
    `(${(uncached.postgresUsPerRequest! / 1000).toFixed(2)} / ${(sql.postgresUsPerRequest! / 1000).toFixed(2)} ms: what row-level security costs the database)`,
  );
  row(
    "uncached p95 at 100 req/s",
    `${fixed.p95.toFixed(1).padStart(5)} ms`,
    `target ≤ 30 ms   ${check(fixed.p95 <= 30)}`,
  );
  const docs = bulk.requestsPerSecond * bulkSize;
  row(
    "bulk ingest",
    `${docs.toFixed(0).padStart(5)} docs/s`,
    `target ≥ 2000   ${check(docs >= 2000)}`,
  );
  console.log("");
  row(
    "Redis down / uncached throughput",
    percent(redisDown, uncached),
    "(no target: the cost of the fallback path)",
  );
  row(
    "cached, audit spooled / audit off",
    percent(auditSpooled, auditOff),
    "(no target: the cost of the audit trail)",
  );
  row(
    "cached, audit fail-closed / audit off",
    percent(auditClosed, auditOff),
    "(no target: the cost of the audit trail)",
  );
  if (results.some((r) => r.errors))
    console.log("\n  (some requests failed: see the error counts above)");
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== "0");
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    await Promise.all(children.map(stop));
    process.exit(1);
  },
);
