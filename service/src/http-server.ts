/**
 * Runs the service on a port and drains it on demand. `server.ts` wires this to the process
 * (signals, exit codes); tests use it in-process, on port 0.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp } from "./app";
import type { LoadedConfig } from "./config/load";
import { createRuntime, type Runtime, type RuntimeOptions } from "./runtime";

export interface RunningServer {
  readonly server: Server;
  readonly runtime: Runtime;
  readonly port: number;
  readonly url: string;
  /** Resolves when start-up checks pass (the server answers probes before that). */
  readonly started: Promise<void>;
  /**
   * Drains: readiness fails at once; after `drainDelayMs` the listener closes; in-flight
   * requests finish (each connection closes after its response); then pools and Redis close.
   * Requests still running after `shutdownGraceMs` less a margin for closing are cut off.
   */
  shutdown(): Promise<{ drained: boolean }>;
}

/** Time kept, out of shutdownGraceMs, for closing pools and Redis. */
const CLOSE_MARGIN_MS = 1_000;

export async function startHttpServer(
  config: LoadedConfig,
  options: RuntimeOptions & { port?: number; host?: string },
): Promise<RunningServer> {
  const { settings } = config;
  const runtime = createRuntime(config, options);
  const app = createApp(runtime.context);
  const server = createServer(
    {
      keepAliveTimeout: settings.server.keepAliveTimeoutMs,
      headersTimeout: settings.server.headersTimeoutMs,
      // Node's own limit on *receiving* a request must be at least headersTimeout; the
      // processing deadline (requestTimeoutMs) is the `deadline` middleware's.
      requestTimeout: Math.max(settings.server.requestTimeoutMs, settings.server.headersTimeoutMs),
    },
    app,
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? config.endpoints.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const abort = new AbortController();
  const started = runtime.start(abort.signal);
  let shuttingDown: Promise<{ drained: boolean }> | undefined;

  const shutdown = () => {
    shuttingDown ??= (async () => {
      const { lifecycle, logger } = runtime.context;
      const { shutdownGraceMs, drainDelayMs } = settings.server;
      const deadline =
        Date.now() + shutdownGraceMs - Math.min(CLOSE_MARGIN_MS, shutdownGraceMs / 2);
      lifecycle.draining = true;
      abort.abort();
      logger.info({ graceMs: shutdownGraceMs, drainDelayMs }, "draining");
      if (drainDelayMs > 0) await sleep(drainDelayMs);

      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        closed.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
        }),
      ]);
      clearTimeout(timer);
      if (!drained) {
        logger.warn("grace period over; closing the connections still open");
        server.closeAllConnections();
      }
      await started.catch(() => undefined);
      await runtime.close();
      logger.info({ drained }, "stopped");
      return { drained };
    })();
    return shuttingDown;
  };

  return { server, runtime, port, url: `http://127.0.0.1:${port}`, started, shutdown };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
