/**
 * Classifies PostgreSQL and driver errors. Used to map errors onto the HTTP contract and, by
 * src/resilience/classify.ts, to decide what counts against the breaker and what may be retried.
 */
import { AppError } from "../../http/errors";

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);

/** SQLSTATEs that mean "the server could not do it now", not "the request is wrong". */
function isTransientSqlState(code: string): boolean {
  return (
    code.startsWith("08") || // connection exception
    code === "57P01" || // admin_shutdown
    code === "57P02" || // crash_shutdown
    code === "57P03" || // cannot_connect_now
    code === "53300" || // too_many_connections
    code === "53000" || // insufficient_resources
    code === "40001" || // serialization_failure
    code === "40P01" // deadlock_detected
  );
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The statement ran past statement_timeout (or was cancelled): the server stopped it. */
export function isStatementTimeout(err: unknown): boolean {
  return codeOf(err) === "57014";
}

/** node-postgres' client-side `query_timeout` fired: it stopped waiting; the statement may have run. */
export function isQueryReadTimeout(err: unknown): boolean {
  return err instanceof Error && /Query read timeout/i.test(err.message);
}

/** A failure to reach or keep a connection, or a server-side condition worth retrying. */
export function isTransientPostgresError(err: unknown): boolean {
  const code = codeOf(err);
  if (code && (CONNECTION_CODES.has(code) || isTransientSqlState(code))) return true;
  const message = err instanceof Error ? err.message : "";
  // node-postgres reports these without a code.
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(
    message,
  );
}

/** Maps an error from a PostgreSQL call onto the service's error contract. */
export function toAppError(err: unknown, pool: string): unknown {
  if (err instanceof AppError) return err;
  if (isStatementTimeout(err) || isQueryReadTimeout(err)) {
    return AppError.timeout("The database took too long to answer; try again.", err);
  }
  if (isTransientPostgresError(err)) {
    return AppError.unavailable(`The ${pool} database is unavailable; try again shortly.`, err);
  }
  return err; // a bug: the error middleware answers 500 and logs it
}
