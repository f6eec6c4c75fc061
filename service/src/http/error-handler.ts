/** The one error middleware: every failure becomes `{"error": {"code", "message", "requestId"}}`. */
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../observability/logger";
import { bodyParserError } from "./body";
import { requestIdOf, setErrorCode } from "./context";
import { AppError, errorBody } from "./errors";

export const notFound: RequestHandler = (req) => {
  throw AppError.notFound(`No route ${req.method} ${req.path}.`);
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const error = err instanceof AppError ? err : (bodyParserError(err) ?? AppError.internal(err));
    const requestId = requestIdOf(res);
    if (error.status >= 500) {
      // The cause (a driver or SQL error, a stack) goes to the log, never to the client.
      logger.error({ requestId, code: error.code, err: error.cause ?? error }, error.message);
    }
    if (res.headersSent) {
      // Answered already (the request deadline fired first): nothing left to tell the client;
      // a response cut short mid-body cannot be repaired, only closed.
      if (!res.writableEnded) res.destroy();
      return;
    }
    setErrorCode(res, error.code);
    if (error.retryAfterSeconds !== undefined) {
      res.setHeader("Retry-After", String(error.retryAfterSeconds));
    }
    if (error.status === 401) res.setHeader("WWW-Authenticate", 'Bearer realm="search"');
    res
      .status(error.status)
      .setHeader("content-type", "application/json; charset=utf-8")
      .send(errorBody(error, requestId));
  };
}
