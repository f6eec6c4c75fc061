/**
 * Faults the resilience tests inject into dependencies of their own — never into the shared
 * PostgreSQL and Redis:
 * - `PrivateRedis`: a redis-server this test spawns on a free port, then kills, pauses
 *   (SIGSTOP: the connection stays up, commands hang) and starts again on the same port;
 * - `FaultProxy`: a TCP proxy in front of the shared PostgreSQL that the test stops (refuses
 *   connections, drops the open ones) and starts again, that can hold back the server's
 *   answers, and that can cut a connection when a transaction's lone COMMIT goes through it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import type { TestServer } from "../support/environment";
import { PG } from "../support/environment";

/**
 * A free port below Linux's ephemeral range (32768-60999): a fault is restarted on the port it
 * had, and a port from the ephemeral range may meanwhile serve some outgoing connection.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = net.createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (bound) {
      await new Promise((resolve) => server.close(resolve));
      return port;
    }
  }
}

export class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.process = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          child.stdout!.off("data", onData);
          resolve();
        }
      };
      child.stdout!.on("data", onData);
      child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
    child.stdout!.resume();
    child.stderr!.resume();
  }

  /** Kills the server (SIGKILL): connections drop, new ones are refused. */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }

  /** Freezes the server (SIGSTOP): connections stay open, commands get no answer. */
  pause(): void {
    this.process?.kill("SIGSTOP");
  }

  resume(): void {
    this.process?.kill("SIGCONT");
  }
}

/** A TCP proxy to the shared PostgreSQL (127.0.0.1:5432) with switches for faults. */
export class FaultProxy {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly delayed = new Set<NodeJS.Timeout>();
  /** Connections accepted since the proxy was created. */
  connections = 0;
  /** Lone COMMITs forwarded (a `withTenant` transaction's commit). */
  commits = 0;
  /** Connections cut on a lone COMMIT. */
  cuts = 0;
  private commitsToCut = 0;
  private answerDelayMs = 0;

  private constructor(readonly port: number) {}

  static async start(): Promise<FaultProxy> {
    const proxy = new FaultProxy(await freePort());
    await proxy.start();
    return proxy;
  }

  get endpoint() {
    return { host: "127.0.0.1", port: this.port };
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    server.listen(this.port, "127.0.0.1");
    await once(server, "listening");
  }

  /** Stops listening (connections are refused) and drops every open connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /**
   * Cuts the next `n` connections that send a COMMIT on its own — the commit of a `withTenant`
   * transaction, after its statements ran — before the server sees it: the server rolls the
   * transaction back, the client sees its connection die. (Single-statement reads send BEGIN
   * and COMMIT together and are left alone.)
   */
  cutNextCommits(n: number): void {
    this.commitsToCut = n;
  }

  /** Holds every answer from PostgreSQL back for `ms` (0: none). */
  delayAnswers(ms: number): void {
    this.answerDelayMs = ms;
  }

  private accept(client: net.Socket): void {
    this.connections++;
    const upstream = net.connect(PG.port, PG.host);
    this.sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.on("data", (chunk: Buffer) => {
      if (isLoneCommit(chunk)) {
        if (this.commitsToCut > 0) {
          this.commitsToCut--;
          this.cuts++;
          drop();
          return;
        }
        this.commits++;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (this.answerDelayMs === 0) client.write(chunk);
      else {
        const timer = setTimeout(() => {
          this.delayed.delete(timer);
          if (client.writable) client.write(chunk);
        }, this.answerDelayMs);
        this.delayed.add(timer);
      }
    });
  }
}

function isLoneCommit(chunk: Buffer): boolean {
  const text = chunk.toString("latin1");
  return text.includes("COMMIT") && !text.includes("BEGIN");
}

/** Polls `check` until it stops throwing (an expectation met), or rethrows after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T>,
  { timeoutMs = 15_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** One sample of the server's /metrics, by name and exact labels; 0 when absent. */
export async function metric(
  server: TestServer,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = (await server.get("/metrics")).text;
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(",");
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? "").split(",").filter(Boolean).sort().join(",");
    if (have === wanted) return Number(match[3]);
  }
  return 0;
}
