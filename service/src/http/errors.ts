/**
 * The service's one error type and the mapping of everything else onto it.
 *
 * Every error a client sees is `{"error": {"code", "message", "requestId"}}` with the status
 * below. A stack trace, a SQL error or a driver message never reaches a client; it goes to the
 * log with the request id.
 */

/** Stable, machine-readable error codes (the `code` field). */
export type ErrorCode =
  | "validation_error"
  | "invalid_json"
  | "invalid_cursor"
  | "unsupported_media_type"
  | "payload_too_large"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "rate_limited"
  | "dependency_unavailable"
  | "overloaded"
  | "timeout"
  | "shutting_down"
  | "internal";

export interface AppErrorOptions {
  /** Seconds a client should wait before retrying (429, 503): sent as Retry-After. */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  static validation(message: string): AppError {
    return new AppError(400, "validation_error", message);
  }
  static notFound(message: string): AppError {
    return new AppError(404, "not_found", message);
  }
  static unauthenticated(message: string): AppError {
    return new AppError(401, "unauthenticated", message);
  }
  static forbidden(message: string): AppError {
    return new AppError(403, "forbidden", message);
  }
  static unavailable(message: string, cause?: unknown): AppError {
    return new AppError(503, "dependency_unavailable", message, { retryAfterSeconds: 5, cause });
  }
  static timeout(message: string, cause?: unknown): AppError {
    return new AppError(503, "timeout", message, { retryAfterSeconds: 2, cause });
  }
  static internal(cause?: unknown): AppError {
    return new AppError(500, "internal", "Something went wrong on our side.", { cause });
  }
}

/** The JSON body of an error response. */
export function errorBody(err: AppError, requestId: string): string {
  return JSON.stringify({ error: { code: err.code, message: err.message, requestId } });
}
