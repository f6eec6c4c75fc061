/**
 * Authentication (Bearer API key) and authorization (role → actions).
 *
 * A key this replica validated recently is accepted from memory. Any other request — no key, or
 * a key not in the cache — is first charged to its client IP (`rateLimits.perIpPerMinute`), so
 * guessing keys or flooding without one is limited before it costs a database lookup.
 */
import type { RequestHandler } from "express";
import type { RateLimiter } from "../adapters/redis/rate-limiter";
import type { ApiKeyAuthenticator } from "../domain/api-keys";
import type { Metrics } from "../observability/metrics";
import { principalOf, setPrincipal } from "./context";
import { AppError } from "./errors";
import { may, type Action } from "./permissions";
import { rateLimited, setRateLimitHeaders } from "./rate-limit";

const BEARER = /^Bearer +(\S+) *$/i;

export function authenticate(
  authenticator: ApiKeyAuthenticator,
  limiter: RateLimiter,
  metrics: Metrics,
): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const apiKey = header ? BEARER.exec(header)?.[1] : undefined;
    let principal = apiKey ? authenticator.peek(apiKey) : undefined;
    if (!principal) {
      const decision = await limiter.consumeIp(req.ip ?? "unknown");
      setRateLimitHeaders(res, decision);
      if (!decision.allowed) {
        metrics.rateLimitRejections.labels("unauthenticated", "ip").inc();
        throw rateLimited(decision, "unauthenticated");
      }
      if (!header) {
        throw AppError.unauthenticated("Send an API key: `Authorization: Bearer <key>`.");
      }
      if (!apiKey) {
        throw AppError.unauthenticated("The Authorization header must be `Bearer <key>`.");
      }
      principal = await authenticator.authenticate(apiKey);
      if (!principal) throw AppError.unauthenticated("The API key is unknown or revoked.");
    }
    setPrincipal(res, principal);
    next();
  };
}

/** 403 unless the caller's role may perform `action`. */
export function permit(action: Action): RequestHandler {
  return (_req, res, next) => {
    const { role } = principalOf(res);
    if (!may(role, action)) {
      throw AppError.forbidden(`The ${role} role may not ${describe(action)}.`);
    }
    next();
  };
}

function describe(action: Action): string {
  switch (action) {
    case "manageKeys":
      return "manage API keys";
    case "search":
      return "search";
    case "erase":
      return "erase data subjects";
    case "audit":
      return "read the audit trail or the compliance report";
    default:
      return `${action} documents`;
  }
}
