/**
 * The JSON API under /v1. Routes are thin: authorize, charge the rate limit, validate, call the
 * domain, map the result. Authentication and rate limits run before the body is parsed, so an
 * unauthenticated or over-limit client cannot make the service read 10 MiB.
 */
import { Router, type RequestHandler } from "express";
import type { RateLimitedOperation } from "../../config/tiers";
import type { BulkItem } from "../../domain/documents";
import { createSchemas } from "../../domain/schemas";
import { authenticate, permit } from "../auth";
import { jsonBody } from "../body";
import { principalOf, recordRoute } from "../context";
import { AppError } from "../errors";
import type { Action } from "../permissions";
import { admit, limit } from "../rate-limit";
import type { DomainServices, HttpContext } from "../services";
import { describe, parse } from "../validation";

const JSON_TYPE = "application/json; charset=utf-8";

export function v1Routes(ctx: HttpContext): Router {
  const router = Router();
  const schemas = createSchemas(ctx.settings.limits);
  const body = jsonBody(ctx.settings.limits.maxBodyBytes);

  const services = (): DomainServices => {
    const s = ctx.services();
    if (!s) {
      throw new AppError(503, "dependency_unavailable", "The service is starting; try again.", {
        retryAfterSeconds: 2,
      });
    }
    return s;
  };
  const authenticated = authenticate(ctx.authenticator, ctx.rateLimiter, ctx.metrics);
  /**
   * Authentication, the role check, then the tenant's rate limit for the operation (a 401 or a
   * 403 costs no quota). Per route rather than router-wide, so an unknown path is a plain 404.
   */
  const guard = (action: Action, operation: RateLimitedOperation): RequestHandler[] => [
    recordRoute,
    authenticated,
    permit(action),
    limit(ctx.rateLimiter, ctx.metrics, operation),
  ];

  router.post("/documents", ...guard("write", "write"), ...body, async (req, res) => {
    const input = parse(schemas.documentInput, req.body, "body");
    const { document, outcome } = await services().documents.put(principalOf(res), input);
    res.status(outcome === "created" ? 201 : 200).json(document);
  });

  router.post("/documents/bulk", ...guard("write", "bulk"), ...body, async (req, res) => {
    const { documents } = parse(schemas.bulkInput, req.body, "body");
    const items: BulkItem[] = documents.map((raw, i) => {
      const result = schemas.documentInput.safeParse(raw);
      if (result.success) return { ok: true, document: result.data };
      const externalId = (raw as { externalId?: unknown } | null)?.externalId;
      return {
        ok: false,
        externalId: typeof externalId === "string" ? externalId : null,
        message: describe(result.error, raw, `documents[${i}]`),
      };
    });
    const answer = await services().documents.putMany(principalOf(res), items);
    res.status(200).json(answer);
  });

  router.get("/documents/:id", ...guard("read", "read"), async (req, res) => {
    const id = parse(schemas.documentId, req.params.id, "params");
    res.status(200).json(await services().documents.get(principalOf(res), id));
  });

  router.delete("/documents/:id", ...guard("delete", "delete"), async (req, res) => {
    const id = parse(schemas.documentId, req.params.id, "params");
    await services().documents.remove(principalOf(res), id);
    res.status(204).end();
  });

  // Search is admitted differently from the other routes: the rate-limit charge and the cache
  // lookup are independent Redis calls, so they are issued together and share a round trip;
  // PostgreSQL is only asked once the request is admitted (see SearchService.search).
  router.get("/search", recordRoute, authenticated, permit("search"), async (req, res) => {
    const request = parse(schemas.searchQuery, req.query, "query");
    const admitted = admit(ctx.rateLimiter, ctx.metrics, res, "search");
    admitted.catch(() => undefined); // a 400 from the search itself may come first
    const started = process.hrtime.bigint();
    const result = await services().search.search(principalOf(res), request, admitted);
    ctx.metrics.searchDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
    res
      .status(200)
      .setHeader("content-type", JSON_TYPE)
      .setHeader("x-cache", result.cache)
      .send(result.body);
  });

  router.post("/keys", ...guard("manageKeys", "write"), ...body, async (req, res) => {
    const { role } = parse(schemas.createKeyInput, req.body, "body");
    res.status(201).json(await services().keys.create(principalOf(res), role));
  });

  router.delete("/keys/:id", ...guard("manageKeys", "delete"), async (req, res) => {
    const id = parse(schemas.documentId, req.params.id, "params");
    if (!(await services().keys.revoke(principalOf(res), id))) {
      throw AppError.notFound(`No live API key with id ${id}.`);
    }
    res.status(204).end();
  });

  return router;
}
