/**
 * PostgreSQL access: one `Database` per pool (writer, reader). Every call goes through the pool's
 * `Dependency`; tenant-scoped work runs in a transaction that sets the tenant and a statement
 * deadline with `set_config(..., true)`, so neither can leak to the connection's next borrower.
 */
import { readFileSync } from "node:fs";
import { Pool, type PoolClient, type PoolConfig, type QueryResultRow } from "pg";
import type { PostgresEndpoint } from "../../config/load";
import type { ServiceSettings } from "../../config/settings";
import type { IamAuthOptions } from "../aws/credentials";
import { rdsAuthTokens } from "../aws/iam-auth-tokens";
import { AppError } from "../../http/errors";
import type { Dependency } from "../dependency";
import { toAppError } from "./errors";

/** What a repository function needs: run a statement, get rows. */
export interface Queryable {
  query<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** A transaction scoped to one tenant (see `Database.withTenant`). */
export interface TenantTransaction extends Queryable {
  readonly tenantId: string;
}

export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

export type PoolName = "writer" | "reader";

export interface WithTenantOptions {
  /** Statement deadline for this transaction. @default settings.postgres.statementTimeoutMs */
  readonly statementTimeoutMs?: number;
  /**
   * The transaction may run again after a transient failure (the connection was lost, a
   * serialization failure) without changing the outcome — an upsert by external id is; an
   * insert of a new row, a delete that answers 404 the second time, are not. `withTenant` only.
   * @default false
   */
  readonly idempotent?: boolean;
}

export interface DatabaseOptions {
  /**
   * Where this pool's reads go when it cannot serve them — its breaker is open, or it refused
   * or lost the connection — as the reader falls back to the writer. Reads are then not retried
   * on this pool (the fallback is the retry). `onFallback` is told every time.
   */
  readonly readFallback?: { readonly database: Database; readonly onFallback: () => void };
}

export class Database implements Queryable {
  constructor(
    readonly name: PoolName,
    private readonly pool: Pool,
    private readonly dependency: Dependency,
    private readonly statementTimeoutMs: number,
    private readonly options: DatabaseOptions = {},
  ) {}

  /**
   * One statement outside any tenant (bounded by the connection's statement_timeout). For reads:
   * retried after a transient failure. Writes go through `withTenant`.
   */
  async query<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]> {
    try {
      return await this.dependency.execute(
        async () => {
          const result = await this.pool.query<R>(sql, params as unknown[]);
          return result.rows;
        },
        { idempotent: !this.options.readFallback },
      );
    } catch (err) {
      const mapped = toAppError(err, this.name);
      const fallback = this.readFallbackFor(mapped);
      if (fallback) return fallback.query<R>(sql, params);
      throw mapped;
    }
  }

  /** One round trip to see that the pool's server answers (readiness). Not retried. */
  async ping(): Promise<void> {
    try {
      await this.dependency.execute(() => this.pool.query("SELECT 1"));
    } catch (err) {
      throw toAppError(err, this.name);
    }
  }

  /**
   * Runs `work` in one transaction in which row-level security sees `tenantId`. Commits when
   * `work` resolves, rolls back when it throws. A connection that failed is discarded.
   *
   * Connections run in pipeline mode: BEGIN, the tenant/deadline statement and `work`'s first
   * statement go out together, so the tenant context costs no extra round trip.
   */
  async withTenant<T>(
    tenantId: string,
    work: (tx: TenantTransaction) => Promise<T>,
    options: WithTenantOptions = {},
  ): Promise<T> {
    try {
      return await this.dependency.execute(
        async (signal) => {
          const client = checkedOut(await this.pool.connect());
          let broken: Error | undefined;
          try {
            const preamble = this.begin(client, tenantId, options);
            const result = await work(transaction(client, tenantId));
            await preamble;
            // Past the client-side deadline the caller has been told 503: roll back rather than
            // commit a write that nobody will acknowledge.
            signal?.throwIfAborted();
            await client.query("COMMIT");
            return result;
          } catch (err) {
            broken = await rollback(client, err);
            throw err;
          } finally {
            client.release(broken);
          }
        },
        { idempotent: options.idempotent ?? false },
      );
    } catch (err) {
      throw toAppError(err, this.name);
    }
  }

  /**
   * One statement in a tenant transaction, in a single round trip (BEGIN, tenant, statement
   * and COMMIT pipelined). For reads: retried after a transient failure, or sent to the
   * `readFallback` pool when this one cannot serve it.
   */
  async queryAsTenant<R extends QueryResultRow>(
    tenantId: string,
    sql: string,
    params: readonly unknown[],
    options: WithTenantOptions = {},
  ): Promise<R[]> {
    try {
      return await this.dependency.execute(
        async () => {
          const client = checkedOut(await this.pool.connect());
          let broken: Error | undefined;
          try {
            // The four statements leave in one write (pg corks each query; this corks the lot).
            const stream = socketOf(client);
            stream?.cork();
            let preamble: Promise<unknown>,
              statement: Promise<{ rows: R[] }>,
              commit: Promise<unknown>;
            try {
              preamble = this.begin(client, tenantId, options);
              statement = client.query<R>(sql, params as unknown[]);
              commit = client.query("COMMIT");
            } finally {
              stream?.uncork();
            }
            // Attach handlers at once: an error in one must not surface as an unhandled rejection
            // of the others, which fail with it.
            const settled = await Promise.allSettled([preamble, statement, commit]);
            const failure = settled.find((s) => s.status === "rejected");
            if (failure) throw (failure as PromiseRejectedResult).reason;
            return (settled[1] as PromiseFulfilledResult<{ rows: R[] }>).value.rows;
          } catch (err) {
            broken = await rollback(client, err);
            throw err;
          } finally {
            client.release(broken);
          }
        },
        { idempotent: !this.options.readFallback },
      );
    } catch (err) {
      const mapped = toAppError(err, this.name);
      const fallback = this.readFallbackFor(mapped);
      if (fallback) return fallback.queryAsTenant<R>(tenantId, sql, params, options);
      throw mapped;
    }
  }

  /**
   * The pool to send a failed read to, if the failure means this pool cannot serve reads now
   * (breaker open, connection refused or lost); not after a deadline or a full bulkhead, where
   * the other pool would only get the same load.
   */
  private readFallbackFor(err: unknown): Database | undefined {
    const fallback = this.options.readFallback;
    if (!fallback || !(err instanceof AppError) || err.code !== "dependency_unavailable") {
      return undefined;
    }
    fallback.onFallback();
    return fallback.database;
  }

  /**
   * Statements for one tenant, each in its own transaction and round trip (`queryAsTenant`):
   * for reads that are a single statement.
   */
  forTenant(tenantId: string, options: WithTenantOptions = {}): TenantTransaction {
    return {
      tenantId,
      query: <R extends QueryResultRow>(sql: string, params: readonly unknown[] = []) =>
        this.queryAsTenant<R>(tenantId, sql, params, options),
    };
  }

  /** BEGIN and the transaction's tenant and statement deadline, sent without waiting. */
  private begin(
    client: PoolClient,
    tenantId: string,
    options: WithTenantOptions,
  ): Promise<unknown> {
    const timeout = String(options.statementTimeoutMs ?? this.statementTimeoutMs);
    const begin = client.query("BEGIN");
    const context = client.query(
      "SELECT set_config('app.tenant_id', $1, true), set_config('statement_timeout', $2, true)",
      [tenantId, timeout],
    );
    const both = Promise.all([begin, context]);
    both.catch(() => undefined); // observed by the caller after `work`; not unhandled meanwhile
    return both;
  }

  stats(): PoolStats {
    return {
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

const listening = new WeakSet<PoolClient>();

/**
 * Gives a checked-out client an 'error' listener. pg-pool removes its own while a client is
 * checked out, and a connection lost mid-transaction (a failover, a reset) then emits 'error'
 * with no listener: an uncaught exception that ends the process. The statement in flight
 * rejects with the same error, and that is where it is handled; the event itself needs no more.
 */
function checkedOut(client: PoolClient): PoolClient {
  if (!listening.has(client)) {
    listening.add(client);
    client.on("error", () => undefined);
  }
  return client;
}

/**
 * The connection's socket, when node-postgres exposes it (an internal, hence the guard): corking
 * it batches pipelined statements into one write.
 */
function socketOf(client: PoolClient): { cork(): void; uncork(): void } | undefined {
  const stream = (client as unknown as { connection?: { stream?: unknown } }).connection?.stream;
  const s = stream as { cork?: unknown; uncork?: unknown } | undefined;
  return s && typeof s.cork === "function" && typeof s.uncork === "function"
    ? (s as { cork(): void; uncork(): void })
    : undefined;
}

function transaction(client: PoolClient, tenantId: string): TenantTransaction {
  return {
    tenantId,
    async query<R extends QueryResultRow>(sql: string, params?: readonly unknown[]) {
      const result = await client.query<R>(sql, params as unknown[]);
      return result.rows;
    },
  };
}

/** Rolls back; returns an error when the connection cannot be trusted any more. */
async function rollback(client: PoolClient, cause: unknown): Promise<Error | undefined> {
  try {
    await client.query("ROLLBACK");
    return undefined;
  } catch {
    return cause instanceof Error ? cause : new Error("rollback failed");
  }
}

export interface CreatePoolOptions {
  readonly name: PoolName;
  /** PGSSLROOTCERT: the CA bundle `require` and `verify-full` check the server against. */
  readonly sslRootCertPath?: string;
  readonly onError?: (err: Error) => void;
  /** Region (and, for tests, credentials and clock) of IAM auth tokens; required for "iam". */
  readonly iam?: IamAuthOptions;
}

/**
 * Builds a pool for one endpoint from the settings.
 *
 * With `postgres.auth` "iam", every new connection authenticates with an RDS IAM auth token for
 * the endpoint's user, host and port: node-postgres asks the pool's password function when the
 * server requests a password, and the function hands out one cached token for about 10 minutes
 * (see AuthTokenSource) — a burst of new connections costs one signing, not one each.
 */
export function createPool(
  endpoint: PostgresEndpoint,
  settings: ServiceSettings,
  options: CreatePoolOptions,
): Pool {
  const pg = settings.postgres;
  let password: PoolConfig["password"] = endpoint.password;
  if (pg.auth === "iam") {
    if (!options.iam) {
      throw new Error('postgres.auth is "iam": createPool needs `iam.region` to sign tokens');
    }
    const tokens = rdsAuthTokens(endpoint, options.iam);
    password = () => tokens.token();
  }
  const config: PoolConfig = {
    host: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    password,
    database: endpoint.database,
    max: options.name === "writer" ? pg.writerPoolMax : pg.readerPoolMax,
    idleTimeoutMillis: pg.idleTimeoutMs,
    connectionTimeoutMillis: pg.connectionTimeoutMs,
    // Server-side default deadline for statements outside `withTenant`, which sets its own.
    statement_timeout: pg.statementTimeoutMs,
    // Client-side backstop only: node-postgres stops waiting but cannot cancel the query.
    query_timeout:
      options.name === "writer"
        ? settings.resilience.postgresWriter.timeoutMs
        : settings.resilience.postgresReader.timeoutMs,
    application_name: `search-service-${options.name}`,
    // Send statements without waiting for the previous result (see Database.withTenant).
    pipeline: true,
    ssl: sslOptions(pg.sslMode, options.sslRootCertPath),
  };
  const pool = new Pool(config);
  // An idle connection that dies emits 'error' on the pool; unhandled, it would crash the process.
  pool.on("error", (err) => options.onError?.(err));
  return pool;
}

/** node-postgres' `ssl` option for a libpq-style sslmode; `caPath` is PGSSLROOTCERT. */
export function sslOptions(
  mode: ServiceSettings["postgres"]["sslMode"],
  caPath: string | undefined,
) {
  if (mode === "disable") return false;
  const ca = caPath ? readFileSync(caPath, "utf8") : undefined;
  if (mode === "require") return { rejectUnauthorized: false, ca };
  return { rejectUnauthorized: true, ca };
}
