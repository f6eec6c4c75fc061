/**
 * What every request gets, in one middleware (each express layer costs every request):
 *
 * - a request id: the caller's `x-request-id` when it looks like one (letters, digits and `._:-`,
 *   at most 128), a new UUID otherwise; returned in `x-request-id`, carried by every log line and
 *   error body;
 * - the whole-request deadline (`server.requestTimeoutMs`): a request still unanswered then gets
 *   503 `timeout`, so a client never waits longer and a drain never lasts longer. The work
 *   behind it is bounded separately (statement_timeout, Redis commandTimeout); whatever it
 *   answers afterwards is discarded;
 * - `Connection: close` while draining, decided when the headers are written (requests in
 *   flight at SIGTERM count too), so clients reconnect elsewhere and the drain does not wait for
 *   idle keep-alive sockets;
 * - `X-Degraded` when the answer took a fallback (see resilience/fallbacks.ts), also decided
 *   when the headers are written;
 * - latency metrics and one log line when the response is finished.
 */
import { randomUUID } from "node:crypto";
import type { RequestHandler, Response } from "express";
import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { collectFallbacks, degradedHeader, type FallbackKind } from "../resilience/fallbacks";
import {
  errorCodeOf,
  maybePrincipalOf,
  requestIdOf,
  routeOf,
  setErrorCode,
  setRequestId,
} from "./context";
import { AppError, errorBody } from "./errors";
import type { Lifecycle } from "./services";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function observe(
  metrics: Metrics,
  logger: Logger,
  lifecycle: Lifecycle,
  deadlineMs: number,
): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers["x-request-id"];
    const requestId =
      typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    setRequestId(res, requestId);
    res.setHeader("x-request-id", requestId);

    const deadline = setTimeout(() => answerTimeout(res), deadlineMs);
    const fallbacks = new Set<FallbackKind>();
    const writeHead = res.writeHead;
    res.writeHead = function (this: Response, ...args: Parameters<typeof writeHead>) {
      if (lifecycle.draining) this.shouldKeepAlive = false;
      if (fallbacks.size > 0) this.setHeader("x-degraded", degradedHeader(fallbacks));
      return writeHead.apply(this, args);
    } as typeof writeHead;

    res.once("close", () => clearTimeout(deadline));
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req, res);
      const status = res.statusCode;
      metrics.httpDuration.labels(req.method, route, String(status)).observe(seconds);
      metrics.httpQuantiles.labels(route).observe(seconds);
      const principal = maybePrincipalOf(res);
      const fields = {
        requestId,
        method: req.method,
        route,
        status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        tenantId: principal?.tenantId,
        keyId: principal?.keyId,
        errorCode: errorCodeOf(res),
        degraded: fallbacks.size > 0 ? [...fallbacks] : undefined,
      };
      if (status >= 500) logger.error(fields, "request failed");
      else logger.info(fields, "request");
    });
    collectFallbacks(fallbacks, next);
  };
}

function answerTimeout(res: Response): void {
  if (res.headersSent) return;
  const error = AppError.timeout("The request took too long; try again.");
  setErrorCode(res, error.code);
  res
    .status(error.status)
    .setHeader("Retry-After", String(error.retryAfterSeconds))
    .setHeader("content-type", "application/json; charset=utf-8")
    .send(errorBody(error, requestIdOf(res)));
}
