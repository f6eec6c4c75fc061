/**
 * Which errors count against a dependency's breaker, and which are worth another attempt.
 *
 * The two differ on purpose:
 * - a failure is the dependency not doing its job (unreachable, shutting down, out of
 *   connections, not answering before the client-side deadline). A client's mistake (a
 *   constraint violation, a syntax error, a rate limit reached), a statement that PostgreSQL
 *   stopped at statement_timeout, or contention (serialization failure, deadlock) is not: one
 *   tenant's heavy query or hot row must not cut everyone off. Slow calls are counted on their
 *   own (see `breaker.ts`), so a statement timeout still weighs as a slow call;
 * - a retry is worth it when the next attempt may succeed *and* the first cannot have done the
 *   work twice: a connection that failed or was reset, PostgreSQL restarting or refusing
 *   connections, a pool that could not hand out a connection in time, a serialization failure
 *   or a deadlock (PostgreSQL rolled the transaction back). Never a statement timeout or a
 *   client-side deadline (the statement may have done its work), never a constraint violation.
 *   Whether the *call* may be repeated at all is the call site's decision (`idempotent`).
 */
import { ReplyError } from "ioredis";
import { isQueryReadTimeout, isTransientPostgresError } from "../adapters/postgres/errors";

export interface DependencyClassifier {
  /** The dependency failed: counts against its breaker. */
  isFailure(err: unknown): boolean;
  /** Another attempt may succeed and cannot double the work of this one. */
  isRetryable(err: unknown): boolean;
}

const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
};

/** SQLSTATEs after which PostgreSQL has rolled the transaction back: rerunning it is safe. */
const ROLLED_BACK = new Set(["40001", "40P01"]);

export const postgresClassifier: DependencyClassifier = {
  isFailure(err) {
    const code = codeOf(err);
    if (code && ROLLED_BACK.has(code)) return false; // contention, not an outage
    return isTransientPostgresError(err); // includes query_timeout: the server did not answer
  },
  isRetryable(err) {
    return isTransientPostgresError(err) && !isQueryReadTimeout(err);
  },
};

/** Replies Redis gives while it cannot serve *now* (loading, failing over, cluster resharding). */
const TRANSIENT_REPLY = /^(LOADING|TRYAGAIN|MASTERDOWN|READONLY|CLUSTERDOWN|BUSY)\b/;
/** ioredis' and rate-limiter-flexible's messages for a connection that is not there. */
const REDIS_CONNECTION =
  /Connection is closed|Stream isn't writeable|connection is not ready|Reached the max retries per request|All sentinels are unreachable|Failed to refresh slots cache/i;
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);

const isReplyError = (err: unknown): boolean =>
  err instanceof (ReplyError as new (...args: unknown[]) => Error);

export const redisClassifier: DependencyClassifier = {
  isFailure(err) {
    // A rate-limit decision (RateLimiterRes) is an answer, not an Error.
    if (!(err instanceof Error)) return false;
    // Any other reply is Redis answering: a bug of ours (WRONGTYPE, a script error), not an outage.
    if (isReplyError(err)) return TRANSIENT_REPLY.test(err.message);
    return true; // connection errors, commandTimeout ("Command timed out")
  },
  isRetryable(err) {
    if (!(err instanceof Error)) return false;
    if (isReplyError(err)) return TRANSIENT_REPLY.test(err.message);
    const code = codeOf(err);
    // Not "Command timed out": a second attempt would pay the whole deadline again.
    return (code !== undefined && CONNECTION_CODES.has(code)) || REDIS_CONNECTION.test(err.message);
  },
};
