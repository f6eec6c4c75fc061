/**
 * Request id, latency metrics and the one log line per request.
 *
 * The request id is the caller's `x-request-id` when it looks like one (letters, digits and
 * `._:-`, at most 128), a new UUID otherwise; it is returned in `x-request-id` and carried by
 * every log line and error body.
 */
import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import { errorCodeOf, maybePrincipalOf, routeOf, setRequestId } from "./context";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function observe(metrics: Metrics, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers["x-request-id"];
    const requestId =
      typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    setRequestId(res, requestId);
    res.setHeader("x-request-id", requestId);

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
      };
      if (status >= 500) logger.error(fields, "request failed");
      else logger.info(fields, "request");
    });
    next();
  };
}
