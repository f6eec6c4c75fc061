/**
 * The whole-request deadline (`server.requestTimeoutMs`): a request still unanswered then gets
 * 503 `timeout`, so a client never waits longer, and a drain never lasts longer. The work behind
 * it is bounded separately (statement_timeout in PostgreSQL, commandTimeout in Redis); whatever
 * it answers afterwards is discarded.
 */
import type { RequestHandler } from "express";
import { requestIdOf, setErrorCode } from "./context";
import { AppError, errorBody } from "./errors";

export function deadline(ms: number): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      const error = AppError.timeout("The request took too long; try again.");
      setErrorCode(res, error.code);
      res
        .status(error.status)
        .setHeader("Retry-After", String(error.retryAfterSeconds))
        .setHeader("content-type", "application/json; charset=utf-8")
        .send(errorBody(error, requestIdOf(res)));
    }, ms);
    res.once("close", () => clearTimeout(timer));
    next();
  };
}
