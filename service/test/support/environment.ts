/**
 * Test environment: a PostgreSQL database created for the run (migrated as the owner, dropped
 * after), a Redis key prefix of its own (its keys deleted after; never FLUSHALL), and servers
 * started in-process on port 0, connected as search_app.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { Redis } from "ioredis";
import { Client, Pool } from "pg";
import pino from "pino";
import { createDependencies } from "../../src/adapters/dependency";
import { runAdmin } from "../../src/admin/cli";
import { Database } from "../../src/adapters/postgres/database";
import { migrate } from "../../src/adapters/postgres/migrations";
import {
  parseServiceSettings,
  type Role,
  type ServiceSettingsInput,
  type SlaTierName,
} from "../../src/config";
import { loadConfig, type Endpoints, type LoadedConfig } from "../../src/config/load";
import { createTenant, createTenantKey } from "../../src/domain/tenants";
import { startHttpServer, type RunningServer } from "../../src/http-server";

export const PG = {
  host: process.env.PGHOST ?? "127.0.0.1",
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? "postgres",
  password: process.env.PGPASSWORD,
};
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export async function createDatabase(prefix = "search_test"): Promise<string> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new Client({ ...PG, database: "postgres" });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const client = new Client({ ...PG, database: name });
  await client.connect();
  try {
    await migrate(client);
  } finally {
    await client.end();
  }
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new Client({ ...PG, database: "postgres" });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Log lines a server wrote, parsed. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _enc, done) => {
      this.lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  text(): string {
    return this.lines.join("\n");
  }
}

export interface TenantHandle {
  readonly tenantId: string;
  /** The tenant's first key (role admin). */
  readonly adminKey: string;
  key(role: Role): Promise<string>;
}

export interface ServerOptions {
  readonly settings?: ServiceSettingsInput;
  readonly endpoints?: Partial<Endpoints>;
  /** Wait for the start-up checks to pass. @default true */
  readonly waitForStart?: boolean;
}

/** One database and Redis prefix for a test file; servers and tenants on demand. */
export class TestEnvironment {
  readonly redisPrefix = `test:${randomBytes(4).toString("hex")}:`;
  readonly servers: RunningServer[] = [];
  database = "";
  private owner: Database | undefined;
  private ownerPool: Pool | undefined;
  private tearingDown = false;

  async setUp(): Promise<void> {
    this.database = await createDatabase();
    this.ownerPool = new Pool({ ...PG, database: this.database, max: 2, pipeline: true });
    // pool.end() resolves before its connections have closed, so the DROP DATABASE ... WITH
    // (FORCE) of tearDown can terminate one still closing: its 57P01 then reaches the pool as an
    // 'error' that, unheard, would fail whichever test runs next in this worker.
    this.ownerPool.on("error", (err) => {
      if (!this.tearingDown) throw err;
    });
    this.owner = new Database("writer", this.ownerPool, createDependencies().postgresWriter, 5_000);
  }

  async tearDown(): Promise<void> {
    this.tearingDown = true;
    await Promise.all(this.servers.map((s) => s.shutdown()));
    await this.ownerPool?.end();
    await deleteRedisKeys(this.redisPrefix);
    if (this.database) await dropDatabase(this.database);
  }

  config(options: ServerOptions = {}): LoadedConfig {
    const base = loadConfig({
      PGHOST: PG.host,
      PGPORT: String(PG.port),
      PGUSER: "search_app",
      PGDATABASE: this.database,
      REDIS_URL,
    });
    const settings = parseServiceSettings(
      merge(
        { redis: { keyPrefix: this.redisPrefix }, observability: { logLevel: "info" } },
        options.settings ?? {},
      ),
    );
    return { settings, endpoints: { ...base.endpoints, ...options.endpoints } };
  }

  /** Starts a server on port 0 and waits until its start-up checks pass. */
  async startServer(options: ServerOptions = {}): Promise<TestServer> {
    const logs = new LogCapture();
    const config = this.config(options);
    const logger = pino({ level: config.settings.observability.logLevel }, logs.stream);
    const running = await startHttpServer(config, { logger, port: 0, host: "127.0.0.1" });
    this.servers.push(running);
    if (options.waitForStart ?? true) await running.started;
    return new TestServer(running, logs);
  }

  async createTenant(tier: SlaTierName = "enterprise"): Promise<TenantHandle> {
    const owner = this.owner!;
    const { tenantId, apiKey } = await createTenant(owner, `tenant ${tier}`, tier);
    return {
      tenantId,
      adminKey: apiKey,
      key: async (role) => (await createTenantKey(owner, tenantId, role)).apiKey,
    };
  }

  /**
   * Runs the admin CLI in-process against this database, as its owner. With `settings`, they
   * go in a SERVICE_CONFIG file (with this environment's Redis prefix) and REDIS_URL is set;
   * `env` adds variables (or unsets them with undefined).
   */
  async admin(
    argv: readonly string[],
    options: { settings?: ServiceSettingsInput; env?: Record<string, string | undefined> } = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const variables: Record<string, string | undefined> = {
      PGHOST: PG.host,
      PGPORT: String(PG.port),
      PGUSER: PG.user,
      PGDATABASE: this.database,
    };
    if (options.settings) {
      const file = path.join(mkdtempSync(path.join(tmpdir(), "search-admin-")), "settings.json");
      writeFileSync(
        file,
        JSON.stringify({ ...options.settings, redis: { keyPrefix: this.redisPrefix } }),
      );
      Object.assign(variables, { REDIS_URL, SERVICE_CONFIG: file });
    }
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdmin([...argv], {
      env: { ...options.env, ...variables },
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
    });
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  }

  /** A plain client as the given role (e.g. search_app), for checks below the API. */
  async connectAs(user: string): Promise<Client> {
    const client = new Client({ ...PG, user, database: this.database });
    await client.connect();
    return client;
  }
}

/**
 * A response body as the tests read it: the assertions check its shape, so it is left untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Body = any;

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
  readonly text: string;
}

export class TestServer {
  constructor(
    readonly running: RunningServer,
    readonly logs: LogCapture,
  ) {}

  get url(): string {
    return this.running.url;
  }

  async request<T = Body>(
    method: string,
    path: string,
    options: { key?: string; json?: unknown; headers?: Record<string, string>; body?: string } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body = options.body;
    if (options.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(options.json);
    }
    const res = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text && (res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = Body>(path: string, key?: string) {
    return this.request<T>("GET", path, { key });
  }
  post<T = Body>(path: string, json: unknown, key?: string) {
    return this.request<T>("POST", path, { key, json });
  }
  delete<T = Body>(path: string, key?: string) {
    return this.request<T>("DELETE", path, { key });
  }
}

/** A document body for tests; `externalId` should be unique per test. */
export function doc(externalId: string, title: string, body: string, extra: object = {}) {
  return { externalId, title, body, ...extra };
}

export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => !!v && typeof v === "object" && !Array.isArray(v);

function merge(a: Tree, b: Tree): Tree {
  const out: Tree = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const base = a[k];
    out[k] = isTree(v) && isTree(base) ? merge(base, v) : v;
  }
  return out;
}
