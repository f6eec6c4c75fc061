/**
 * Builds the service from its configuration: pools, Redis clients, adapters, domain services,
 * metrics and the HTTP context. `start` runs the start-up checks; `close` releases everything.
 */
import { createDependencies, type CallPolicy, type DependencyName } from "./adapters/dependency";
import { createPool, Database } from "./adapters/postgres/database";
import { latestVersion, MIGRATIONS_TABLE } from "./adapters/postgres/migrations";
import { createRedisClients, type RedisClients } from "./adapters/redis/client";
import { KeyRevocations } from "./adapters/redis/key-revocations";
import { RedisKeys } from "./adapters/redis/keys";
import { RateLimiter } from "./adapters/redis/rate-limiter";
import { SearchCache } from "./adapters/redis/search-cache";
import type { LoadedConfig } from "./config/load";
import { ApiKeyAuthenticator, KeyService } from "./domain/api-keys";
import { CursorCodec } from "./domain/cursor";
import { DocumentService } from "./domain/documents";
import { SearchService } from "./domain/search";
import { auditKeyMaterial } from "./governance/audit-key-derivation";
import { Governance } from "./governance/governance";
import type { DomainServices, HttpContext, Lifecycle } from "./http/services";
import type { Logger } from "./observability/logger";
import { Metrics } from "./observability/metrics";
import { isShortCircuit } from "./resilience/errors";
import { createFallbacks, observePolicies } from "./resilience/observer";
import { createResiliencePolicies } from "./resilience/policy";
import { Readiness } from "./resilience/readiness";

export interface RuntimeOptions {
  readonly logger: Logger;
  /** What runs each dependency's calls. @default the resilience policies of settings.resilience */
  readonly policies?: Partial<Record<DependencyName, CallPolicy>>;
  /** Delay between start-up attempts. @default 2000 */
  readonly startupRetryMs?: number;
}

/** Configuration the service refuses to run with (exits instead of retrying). */
export class FatalStartupError extends Error {}

export interface Runtime {
  readonly context: HttpContext;
  readonly pools: { readonly writer: Database; readonly reader: Database };
  readonly redis: RedisClients;
  readonly cache: SearchCache;
  /** Retries until the schema is current; throws FatalStartupError on misconfiguration. */
  start(signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export function createRuntime(config: LoadedConfig, options: RuntimeOptions): Runtime {
  const { settings, endpoints } = config;
  const { logger } = options;
  // The pools are built below; the gauge reads them only when scraped.
  const metrics = new Metrics({
    writer: { stats: () => pools.writer.stats() },
    reader: { stats: () => pools.reader.stats() },
  });
  const fallbacks = createFallbacks(metrics);
  const deps = createDependencies(
    options.policies ??
      createResiliencePolicies(settings.resilience, observePolicies(metrics, logger)),
  );
  const logDependencyError = (dependency: string, operation: string) => (err: unknown) => {
    // Refused by an open breaker: nothing was called; the breaker opening was logged once.
    if (isShortCircuit(err)) return;
    metrics.dependencyErrors.labels(dependency, operation).inc();
    logger.warn({ dependency, operation, err: describeError(err) }, "dependency call failed");
  };

  // IAM auth tokens (postgres.auth / redis.auth "iam"): signed for AWS_REGION, which
  // loadConfig requires then, with the default credential chain (EKS Pod Identity).
  const iam = endpoints.awsRegion ? { region: endpoints.awsRegion } : undefined;
  const pool = (name: "writer" | "reader") =>
    createPool(name === "writer" ? endpoints.postgresWriter : endpoints.postgresReader, settings, {
      name,
      sslRootCertPath: endpoints.sslRootCertPath,
      iam,
      onError: (err) =>
        logger.warn({ pool: name, err: describeError(err) }, "idle connection failed"),
    });
  const writer = new Database(
    "writer",
    pool("writer"),
    deps.postgresWriter,
    settings.postgres.statementTimeoutMs,
  );
  const pools = {
    writer,
    // Reads the reader cannot serve (breaker open, connection refused or lost) go to the writer.
    reader: new Database(
      "reader",
      pool("reader"),
      deps.postgresReader,
      settings.postgres.statementTimeoutMs,
      { readFallback: { database: writer, onFallback: () => fallbacks.record("reader-fallback") } },
    ),
  };

  const redis = createRedisClients(
    endpoints.redisUrl,
    settings,
    (err, connection) =>
      logger.debug({ connection, err: describeError(err) }, "redis connection error"),
    {
      iam,
      onTokenError: (err) =>
        logger.warn({ err: describeError(err) }, "redis IAM auth token not refreshed; retrying"),
    },
  );
  const keys = new RedisKeys(settings.redis.keyPrefix);
  const cache = new SearchCache(redis.cache, deps.redis, keys, settings, {
    onError: (err, operation) => logDependencyError("redis", `cache.${operation}`)(err),
    onInvalidationFailure: (tenantId) =>
      logger.warn({ tenantId }, "cache invalidation deferred until Redis answers"),
  });
  const rateLimiter = new RateLimiter(
    redis.main,
    deps.redis,
    keys,
    settings,
    (err) => {
      // Called when Redis could not count and the in-memory limiter decided instead.
      fallbacks.record("rate-limit-local");
      logDependencyError("redis", "rate_limit")(err);
    },
    // Search's charge rides in the cache lookup's script when both use one connection.
    { carriedCharges: redis.cache === redis.main },
  );
  const authenticator = new ApiKeyAuthenticator(pools.writer, settings.auth);
  const revocations = new KeyRevocations(redis.main, redis.subscriber, deps.redis, keys);
  revocations.listen(authenticator, logDependencyError("redis", "subscribe"));

  const readiness = new Readiness({
    postgresWriter: { dependency: deps.postgresWriter, probe: () => pools.writer.ping() },
    postgresReader: { dependency: deps.postgresReader, probe: () => pools.reader.ping() },
    redis: {
      dependency: deps.redis,
      probe: () => deps.redis.execute(() => redis.main.ping()),
      details: () => ({ connection: redis.main.status }),
    },
  });

  const governance = new Governance({
    settings,
    // Derived through KMS by now when AUDIT_HMAC_KMS_KEY_ID is set (server.ts).
    auditKeys: auditKeyMaterial(endpoints.auditKeys),
    pools,
    logger,
    registry: metrics.registry,
    describeError,
  });

  const lifecycle: Lifecycle = { started: false, draining: false, startupProblem: "not started" };
  let services: DomainServices | undefined;

  const context: HttpContext = {
    settings,
    logger,
    metrics,
    lifecycle,
    authenticator,
    rateLimiter,
    audit: governance.trail,
    services: () => services,
    readiness: () => readiness.check(),
  };

  async function attemptStart(): Promise<DomainServices> {
    const [check] = await pools.writer.query<{
      version: number | null;
      bypasses_rls: boolean;
      owns_tables: boolean;
    }>(
      `SELECT (SELECT max(version) FROM ${MIGRATIONS_TABLE}) AS version,
              (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) AS bypasses_rls,
              EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'search' AND tableowner = current_user) AS owns_tables`,
    );
    if (check.bypasses_rls || check.owns_tables) {
      throw new FatalStartupError(
        `PGUSER "${endpoints.postgresWriter.user}" ${check.bypasses_rls ? "bypasses row-level security" : "owns the tables"}; connect as the application role (search_app)`,
      );
    }
    const expected = latestVersion();
    if ((check.version ?? 0) < expected) {
      throw new Error(
        `schema is at version ${check.version ?? 0}, this build needs ${expected}: run the migrations`,
      );
    }
    const [key] = await pools.writer.query<{ secret: Buffer }>(
      "SELECT secret FROM search.signing_keys WHERE purpose = 'cursor'",
    );
    if (!key) throw new FatalStartupError("search.signing_keys has no 'cursor' key");
    await governance.start();
    await redis.waitUntilReady(settings.redis.connectTimeoutMs);
    const cursors = new CursorCodec(key.secret);
    return {
      ...governance.services({ cache, client: redis.cache, dependency: deps.redis, keys }),
      documents: new DocumentService(pools, cache, governance.policy),
      search: new SearchService(
        pools,
        cache,
        cursors,
        {
          cacheRequest: (result) => metrics.searchCacheRequests.labels(result).inc(),
          fallback: (kind) => fallbacks.record(kind),
        },
        governance.policy,
      ),
      keys: new KeyService({
        writer: pools.writer,
        revocations,
        authenticator,
        onPublishError: logDependencyError("redis", "publish_revocation"),
      }),
    };
  }

  return {
    context,
    pools,
    redis,
    cache,
    async start(signal) {
      for (;;) {
        try {
          services = await attemptStart();
          lifecycle.started = true;
          lifecycle.startupProblem = undefined;
          return;
        } catch (err) {
          if (err instanceof FatalStartupError) throw err;
          lifecycle.startupProblem = describeError(err);
          logger.warn({ reason: lifecycle.startupProblem }, "start-up check failed; retrying");
        }
        await new Promise((resolve) => setTimeout(resolve, options.startupRetryMs ?? 2_000));
        if (signal?.aborted) throw new Error("start-up abandoned");
      }
    },
    async close() {
      // Audit records still queued are written while the pools are open.
      await governance.close();
      cache.close();
      await Promise.allSettled([pools.writer.close(), pools.reader.close(), redis.close()]);
    },
  };
}

/** An error's message without its stack (for warn-level logs). */
function describeError(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause;
  const message = err instanceof Error ? err.message : String(err);
  return cause instanceof Error && cause.message !== message
    ? `${message} (${cause.message})`
    : message;
}
