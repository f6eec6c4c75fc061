/**
 * Redis connections: `main` (rate limits; database 0), `cache` (search results, cache
 * generations, read-your-writes markers; `settings.redis.cacheDb`, the same connection when that
 * is 0) and `subscriber` (pub/sub for API key revocations). `settings.redis.cluster` switches to
 * ioredis' Cluster client.
 *
 * Commands fail fast while disconnected (no offline queue): every caller has a fallback, and a
 * request must not wait for a reconnect.
 *
 * Authentication (`settings.redis.auth`): "none"; "password", the user and password of REDIS_URL;
 * "iam", `settings.redis.user` with an ElastiCache IAM auth token, a fresh one for every
 * connection ioredis opens (see dynamic-password.ts): the clients connect once the first token
 * is signed, and a token is kept ready in memory, re-signed 5 minutes before it expires.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from "ioredis";
import type { ServiceSettings } from "../../config/settings";
import type { AuthTokenSource } from "../aws/auth-token-source";
import type { IamAuthOptions } from "../aws/credentials";
import { elastiCacheAuthTokens } from "../aws/iam-auth-tokens";
import { bindNodePasswords, bindPassword, passwordGate } from "./dynamic-password";

export type RedisClient = Redis | Cluster;

export interface RedisClients {
  readonly main: RedisClient;
  readonly cache: RedisClient;
  readonly subscriber: RedisClient;
  /** Resolves once `main` is ready, or after `timeoutMs` (the service starts either way). */
  waitUntilReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface RedisClientOptions {
  /** Region (and, for tests, credentials and clock) of IAM auth tokens; required for "iam". */
  readonly iam?: IamAuthOptions;
  /**
   * A token could not be signed in the background (retried; the connections keep the last
   * valid token until it expires).
   * @default - `onError` with the connection "iam-auth-token"
   */
  readonly onTokenError?: (err: Error) => void;
}

export function createRedisClients(
  url: string,
  settings: ServiceSettings,
  onError: (err: Error, connection: string) => void,
  options: RedisClientOptions = {},
): RedisClients {
  const parsed = new URL(url);
  const r = settings.redis;
  const tokens = r.auth === "iam" ? iamTokens(settings, options, onError) : undefined;
  const base: RedisOptions = {
    ...(tokens
      ? // The password is bound to the token source once each client exists (bindPassword).
        { username: r.user, Connector: passwordGate(tokens), lazyConnect: true }
      : {
          username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
          password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
        }),
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

  const standalone = (db: number, offlineQueue: boolean): Redis => {
    const client = new Redis({ ...base, host, port, db, enableOfflineQueue: offlineQueue });
    if (tokens) {
      bindPassword(client.options, tokens);
      connectOnceSigned(client, tokens);
    }
    return client;
  };
  const cluster = (): Cluster => {
    const redisOptions: RedisOptions = { ...base };
    if (tokens) bindPassword(redisOptions, tokens);
    const client = new Cluster([{ host, port }], {
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      // ElastiCache's TLS certificates name the configuration endpoint, not node IPs.
      dnsLookup: (address, callback) => callback(null, address),
      redisOptions,
      clusterRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3_000),
      lazyConnect: tokens !== undefined,
    } satisfies ClusterOptions);
    if (tokens) {
      bindNodePasswords(client, tokens);
      connectOnceSigned(client, tokens);
    }
    return client;
  };

  const main = r.cluster ? cluster() : standalone(0, false);
  const cache = r.cacheDb === 0 || r.cluster ? main : standalone(r.cacheDb, false);
  // The subscriber queues its SUBSCRIBE until connected and re-subscribes after reconnects. In
  // cluster mode too it is one plain connection to the endpoint: a cluster forwards every PUBLISH
  // to all its nodes, and ioredis' own cluster subscriber connection could not be given a fresh
  // IAM token when it reconnects (it copies a password; see dynamic-password.ts).
  const subscriber = standalone(0, true);
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
      tokens?.close();
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

/** The replication group's token source, kept fresh in the background (see dynamic-password). */
function iamTokens(
  settings: ServiceSettings,
  options: RedisClientOptions,
  onError: (err: Error, connection: string) => void,
): AuthTokenSource {
  const { user, replicationGroupId } = settings.redis;
  if (!options.iam || !user || !replicationGroupId) {
    throw new Error(
      'redis.auth is "iam": createRedisClients needs `iam.region`, redis.user and redis.replicationGroupId',
    );
  }
  const tokens = elastiCacheAuthTokens({ replicationGroupId, userId: user }, options.iam);
  tokens.keepFresh((err) =>
    options.onTokenError ? options.onTokenError(err) : onError(err, "iam-auth-token"),
  );
  return tokens;
}

/** Connects a lazy client once the first token is signed (or signing failed: the gate retries). */
function connectOnceSigned(client: RedisClient, tokens: AuthTokenSource): void {
  void tokens
    .token()
    .catch(() => undefined)
    .finally(() => {
      if (client.status === "wait") client.connect().catch(() => undefined);
    });
}
