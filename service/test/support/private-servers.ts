/**
 * Private PostgreSQL and Redis servers for the IAM authentication tests, started on free ports in
 * a temporary directory and stopped after (the shared servers are never touched). Unlike the
 * shared ones, they demand what Aurora and ElastiCache demand: TLS, and a password on every
 * connection (PostgreSQL: scram-sha-256 over `hostssl` only; Redis: ACL users, the default user
 * off, TLS only).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { Client } from "pg";
import type { TestPki } from "./test-pki";

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Retries `attempt` every 100 ms until it resolves; past `timeoutMs`, fails with its last error. */
export async function until<T>(
  what: string,
  attempt: () => Promise<T>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

// ── PostgreSQL ───────────────────────────────────────────────────────────────────────────────

/**
 * A PostgreSQL cluster of its own (initdb), TLS with the test CA's certificate for "localhost",
 * scram-sha-256 over TLS the only way in. initdb refuses to run as root: as root, the server runs
 * as the system user "postgres".
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly superuserPassword: string,
    private readonly pki: TestPki,
    private readonly runAs: string[],
  ) {}

  static async start(pki: TestPki): Promise<PrivatePostgres> {
    const dir = temporaryDirectory("search-iam-pg-");
    const runAs = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    const owner = runAs.length > 0 ? systemUser("postgres") : undefined;
    const own = (file: string) => owner && chownSync(file, owner.uid, owner.gid);
    const superuserPassword = "superuser-password";
    writeFileSync(path.join(dir, "pw"), superuserPassword);
    for (const [from, to] of [
      [pki.certFile, "server.pem"],
      [pki.keyFile, "server.key"],
    ] as const) {
      copyFileSync(from, path.join(dir, to));
    }
    execFileSync("chmod", ["0600", path.join(dir, "server.key")]);
    for (const f of [".", "pw", "server.pem", "server.key"]) own(path.join(dir, f));

    const port = await freePort();
    const data = path.join(dir, "data");
    const run = (...args: string[]) => {
      const [command, ...rest] = [...runAs, ...args];
      execFileSync(command, rest, { stdio: "pipe" });
    };
    // prettier-ignore
    run(
      "initdb", "-D", data, "-U", "postgres", `--pwfile=${path.join(dir, "pw")}`,
      "-A", "scram-sha-256", "--no-sync",
    );
    writeFileSync(
      path.join(data, "pg_hba.conf"),
      [
        "local all all scram-sha-256",
        "hostssl all all 127.0.0.1/32 scram-sha-256",
        "hostssl all all ::1/128 scram-sha-256",
      ].join("\n") + "\n",
    );
    own(path.join(data, "pg_hba.conf"));
    const settings = [
      "listen_addresses=localhost",
      `port=${port}`,
      `unix_socket_directories=${dir}`,
      "ssl=on",
      `ssl_cert_file=${path.join(dir, "server.pem")}`,
      `ssl_key_file=${path.join(dir, "server.key")}`,
      "fsync=off",
    ];
    // prettier-ignore
    run(
      "pg_ctl", "-D", data, "-l", path.join(dir, "log"), "-w", "-t", "30",
      "-o", settings.map((s) => `-c ${s}`).join(" "), "start",
    );
    const server = new PrivatePostgres(port, dir, superuserPassword, pki, runAs);
    await until("private PostgreSQL did not accept the superuser", () =>
      server.asSuperuser(() => Promise.resolve()),
    );
    return server;
  }

  /** Runs `work` with a superuser connection (TLS, verified). */
  async asSuperuser<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({
      host: "localhost",
      port: this.port,
      user: "postgres",
      password: this.superuserPassword,
      database: "postgres",
      ssl: { ca: this.pki.caPem, rejectUnauthorized: true },
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  stop(): void {
    try {
      // prettier-ignore
      const [command, ...rest] = [
        ...this.runAs,
        "pg_ctl", "-D", path.join(this.dir, "data"), "-m", "immediate", "-w", "stop",
      ];
      execFileSync(command, rest, { stdio: "pipe" });
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

function systemUser(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync("id", [flag, name], { encoding: "utf8" }));
  return { uid: id("-u"), gid: id("-g") };
}

// ── Redis ────────────────────────────────────────────────────────────────────────────────────

export const REDIS_ADMIN = { username: "admin", password: "admin-password" };

/**
 * redis-server processes with TLS only (no plaintext port), the default user off and an `admin`
 * user; with `cluster`, as many nodes as asked joined into one cluster with the slots spread
 * evenly, announcing themselves as "localhost" (as ElastiCache announces host names over TLS).
 */
export class PrivateRedis {
  private constructor(
    readonly ports: readonly number[],
    private readonly processes: readonly ChildProcess[],
    private readonly dir: string,
    private readonly pki: TestPki,
  ) {}

  static async start(pki: TestPki, options: { clusterNodes?: number } = {}): Promise<PrivateRedis> {
    const dir = temporaryDirectory("search-iam-redis-");
    const count = options.clusterNodes ?? 1;
    const cluster = options.clusterNodes !== undefined;
    const ports: number[] = [];
    const processes: ChildProcess[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const busPort = await freePort();
      const conf = path.join(dir, `node-${i}.conf`);
      writeFileSync(
        conf,
        [
          "bind 127.0.0.1",
          "port 0",
          `tls-port ${port}`,
          `tls-cert-file ${pki.certFile}`,
          `tls-key-file ${pki.keyFile}`,
          `tls-ca-cert-file ${pki.caFile}`,
          "tls-auth-clients no",
          `dir ${dir}`,
          'save ""',
          "appendonly no",
          "user default off",
          `user ${REDIS_ADMIN.username} on >${REDIS_ADMIN.password} ~* &* +@all`,
          ...(cluster
            ? [
                "cluster-enabled yes",
                `cluster-config-file nodes-${i}.conf`,
                `cluster-port ${busPort}`,
                "tls-cluster yes",
                "cluster-node-timeout 5000",
                "cluster-announce-hostname localhost",
                "cluster-preferred-endpoint-type hostname",
              ]
            : []),
        ].join("\n") + "\n",
      );
      processes.push(spawn("redis-server", [conf], { stdio: "ignore" }));
      ports.push(port);
    }
    const server = new PrivateRedis(ports, processes, dir, pki);
    for (const port of ports) {
      await until(`private Redis on ${port} did not answer`, () =>
        server.asAdmin(port, (r) => r.ping()),
      );
    }
    if (cluster) await server.formCluster();
    return server;
  }

  /** Runs `work` with an admin connection to the node on `port`. */
  async asAdmin<T>(port: number, work: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis({
      host: "localhost",
      port,
      ...REDIS_ADMIN,
      tls: { ca: this.pki.caPem },
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    redis.on("error", () => undefined);
    try {
      await redis.connect();
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** Runs `work` on every node. */
  forEachNode<T>(work: (redis: Redis) => Promise<T>): Promise<T[]> {
    return Promise.all(this.ports.map((port) => this.asAdmin(port, work)));
  }

  private async formCluster(): Promise<void> {
    const slots = 16_384;
    const per = Math.ceil(slots / this.ports.length);
    await Promise.all(
      this.ports.map((port, i) =>
        this.asAdmin(port, (r) =>
          r.call("CLUSTER", "ADDSLOTSRANGE", i * per, Math.min(slots, (i + 1) * per) - 1),
        ),
      ),
    );
    await Promise.all(
      this.ports.slice(1).map((port) =>
        this.asAdmin(this.ports[0], async (r) => {
          const bus = await this.busPortOf(port);
          return r.call("CLUSTER", "MEET", "127.0.0.1", port, bus);
        }),
      ),
    );
    await until(
      "private Redis cluster did not form",
      () =>
        this.forEachNode(async (r) => {
          const info = String(await r.call("CLUSTER", "INFO"));
          if (
            !info.includes("cluster_state:ok") ||
            !info.includes(`cluster_known_nodes:${this.ports.length}`)
          ) {
            throw new Error(info.split("\r\n").slice(0, 6).join(" "));
          }
        }),
      30_000,
    );
  }

  private busPortOf(port: number): Promise<number> {
    return this.asAdmin(port, async (r) => {
      const [, value] = (await r.call("CONFIG", "GET", "cluster-port")) as [string, string];
      return Number(value);
    });
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.processes.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
