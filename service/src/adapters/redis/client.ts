/**
 * Redis connections: `main` (rate limits; database 0), `cache` (search results, cache
 * generations, read-your-writes markers; `settings.redis.cacheDb`, the same connection when that
 * is 0) and `subscriber` (pub/sub for API key revocations). `settings.redis.cluster` switches to
 * ioredis' Cluster client.
 *
 * Commands fail fast while disconnected (no offline queue): every caller has a fallback, and a
 * request must not wait for a reconnect.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import type { ServiceSettings } from "../../config/settings";

export type RedisClient = Redis | Cluster;

export interface RedisClients {
  readonly main: RedisClient;
  readonly cache: RedisClient;
  readonly subscriber: RedisClient;
  /** Resolves once `main` is ready, or after `timeoutMs` (the service starts either way). */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function createRedisClients(
  url: string,
  settings: ServiceSettings,
  onError: (err: Error, connection: string) => void,
): RedisClients {
  const parsed = new URL(url);
  const r = settings.redis;
  const base: RedisOptions = {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: r.tls || parsed.protocol === "rediss:" ? {} : undefined,
    connectTimeout: r.connectTimeoutMs,
    commandTimeout: settings.resilience.redis.timeoutMs,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3_000),
    // How long a closing socket may linger before it is destroyed (ioredis' default, 2 s,
    // outlives a drain that has nothing left to send).
    disconnectTimeout: 250,
  };
  const host = parsed.hostname || "127.0.0.1";
  const port = parsed.port ? Number(parsed.port) : 6379;

  let make: (db: number, offlineQueue: boolean) => RedisClient;
  if (r.cluster) {
    make = (_db, offlineQueue) => {
      const options: ClusterOptions = {
        enableAutoPipelining: true,
        enableOfflineQueue: offlineQueue,
        // ElastiCache's TLS certificates name the configuration endpoint, not node IPs.
        dnsLookup: (address, callback) => callback(null, address),
        redisOptions: base,
        clusterRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3_000),
      };
      return new Cluster([{ host, port }], options);
    };
  } else {
    make = (db, offlineQueue) =>
      new Redis({ ...base, host, port, db, enableOfflineQueue: offlineQueue });
  }

  const main = make(0, false);
  const cache = r.cacheDb === 0 || r.cluster ? main : make(r.cacheDb, false);
  // The subscriber queues its SUBSCRIBE until connected and re-subscribes after reconnects.
  const subscriber = make(0, true);
  const all = new Map<string, RedisClient>([
    ["main", main],
    ["cache", cache],
    ["subscriber", subscriber],
  ]);
  for (const [name, client] of all) client.on("error", (err: Error) => onError(err, name));

  return {
    main,
    cache,
    subscriber,
    waitUntilReady(timeoutMs) {
      if (main.status === "ready") return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        main.once("ready", () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    },
    async close() {
      await Promise.all(
        [...new Set(all.values())].map(async (c) => {
          if (c.status === "end") return;
          // QUIT only on a live connection; otherwise stop the reconnection attempts.
          if (c.status !== "ready") return c.disconnect();
          const ended = new Promise((resolve) => c.once("end", resolve));
          await c.quit().catch(() => c.disconnect());
          await ended;
        }),
      );
    },
  };
}
