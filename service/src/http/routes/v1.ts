/**
 * The JSON API under /v1. Routes are thin: authorize, charge the rate limit, validate, call the
 * domain, map the result. Authentication and rate limits run before the body is parsed, so an
 * unauthenticated or over-limit client cannot make the service read 10 MiB.
 *
 * Every route is audited from its first middleware on, denials included; each tells the trail
 * what it served (`noteAccess`). Changes are recorded as attempts first under fail-closed
 * presets (governance/audit-trail.ts).
 */
import { Router, type RequestHandler } from "express";
import type { RateLimitedOperation } from "../../config/tiers";
import type { BulkItem } from "../../domain/documents";
import { createSchemas, type SearchRequest } from "../../domain/schemas";
import type { DetailValue } from "../../governance/audit-record";
import { noteAccess, noteSearchResult } from "../../governance/audit-trail";
import { authenticate, permit } from "../auth";
import { jsonBody } from "../body";
import { principalOf, recordRoute } from "../context";
import { AppError } from "../errors";
import type { Action } from "../permissions";
import { limit, searchAdmission } from "../rate-limit";
import type { DomainServices, HttpContext } from "../services";
import { inSequence } from "../sequence";
import { describe, parse, QueryParser } from "../validation";

const JSON_TYPE = "application/json; charset=utf-8";

/** Actions that change something: recorded before they happen under fail-closed presets. */
const CHANGES: ReadonlySet<Action> = new Set(["write", "delete", "manageKeys", "erase"]);

/** The /v1 API: its router, and search's handler, which the app matches before the router. */
export interface V1Routes {
  readonly router: Router;
  /** `GET /v1/search` (see app.ts). */
  readonly search: RequestHandler;
}

export function v1Routes(ctx: HttpContext): V1Routes {
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
    ctx.audit.audited(action),
    authenticated,
    permit(action),
    limit(ctx.rateLimiter, ctx.metrics, operation),
    ...(CHANGES.has(action) ? [ctx.audit.intent()] : []),
  ];

  router.post("/documents", ...guard("write", "write"), ...body, async (req, res) => {
    const input = parse(schemas.documentInput, req.body, "body");
    const { document, outcome, access } = await services().documents.put(principalOf(res), input);
    noteAccess(res, {
      resource: document.id,
      resultCount: 1,
      access,
      details: { result: outcome },
    });
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
    const written = answer.items.filter((i) => i.result === "created" || i.result === "updated");
    noteAccess(res, { resultCount: written.length, details: { documents: items.length } });
    res.status(200).json(answer);
  });

  router.get("/documents/:id", ...guard("read", "read"), async (req, res) => {
    const id = parse(schemas.documentId, req.params.id, "params");
    noteAccess(res, { resource: id });
    const { document, access } = await services().documents.get(principalOf(res), id);
    noteAccess(res, { resultCount: 1, access });
    res.status(200).json(document);
  });

  router.delete("/documents/:id", ...guard("delete", "delete"), async (req, res) => {
    const id = parse(schemas.documentId, req.params.id, "params");
    noteAccess(res, { resource: id });
    await services().documents.remove(principalOf(res), id);
    noteAccess(res, { resultCount: 1 });
    res.status(204).end();
  });

  // Search is admitted differently from the other routes: the rate-limit charge travels inside
  // the cache lookup's Redis script (one command for both); PostgreSQL is only asked once the
  // request is admitted (see SearchService.search).
  // The hottest route: its guards run as one layer (see sequence.ts), its query strings are
  // parsed once per URL (see QueryParser).
  const searchQueries = new QueryParser(schemas.searchQuery);
  const search = inSequence(
    recordRoute,
    ctx.audit.audited("search"),
    authenticated,
    permit("search"),
    async (req, res) => {
      const request = searchQueries.parse(req);
      noteAccess(res, { query: request.q, details: searchDetails(request) });
      const admission = searchAdmission(ctx.rateLimiter, ctx.metrics, res);
      const started = process.hrtime.bigint();
      const result = await services().search.search(principalOf(res), request, admission);
      ctx.metrics.searchDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
      noteSearchResult(res, result.body);
      noteAccess(res, { details: { cache: result.cache } });
      res
        .status(200)
        .setHeader("content-type", JSON_TYPE)
        .setHeader("x-cache", result.cache)
        .send(result.body);
    },
  );

  router.post("/keys", ...guard("manageKeys", "write"), ...body, async (req, res) => {
    const { role } = parse(schemas.createKeyInput, req.body, "body");
    const created = await services().keys.create(principalOf(res), role);
    noteAccess(res, { resource: created.id, resultCount: 1, details: { role } });
    res.status(201).json(created);
  });

  router.delete("/keys/:id", ...guard("manageKeys", "delete"), async (req, res) => {
    const id = parse(schemas.documentId, req.params.id, "params");
    noteAccess(res, { resource: id });
    if (!(await services().keys.revoke(principalOf(res), id))) {
      throw AppError.notFound(`No live API key with id ${id}.`);
    }
    noteAccess(res, { resultCount: 1 });
    res.status(204).end();
  });

  // Erasure of a data subject: its documents and every cached answer that could hold them.
  router.delete("/subjects/:subjectId", ...guard("erase", "delete"), async (req, res) => {
    const subjectId = parse(schemas.subjectId, req.params.subjectId, "params");
    const result = await services().erasure.erase(principalOf(res), subjectId);
    noteAccess(res, {
      resultCount: result.documentsDeleted,
      details: {
        documentsDeleted: result.documentsDeleted,
        cacheEntriesDeleted: result.cacheEntriesDeleted,
      },
    });
    res.status(200).json(result);
  });

  router.get("/audit/verify", ...guard("audit", "read"), async (_req, res) => {
    const verification = await services().auditVerifier.verify(principalOf(res).tenantId);
    noteAccess(res, {
      resultCount: verification.records,
      details: { status: verification.status },
    });
    res.status(200).json(verification);
  });

  router.get("/compliance/report", ...guard("audit", "read"), async (req, res) => {
    const { from, to } = parse(schemas.reportQuery, req.query, "query");
    noteAccess(res, { details: { from: from.toISOString(), to: to.toISOString() } });
    res.status(200).json(await services().compliance.report(principalOf(res), from, to));
  });

  return { router, search };
}

/** What the audit record keeps of a search besides its query: never filter values. */
function searchDetails(request: SearchRequest): Record<string, DetailValue> {
  const details: Record<string, DetailValue> = { mode: request.mode };
  const filters = Object.keys(request.filters);
  if (filters.length > 0) details.filters = filters.sort();
  if (request.classification) details.classification = request.classification;
  if (request.sort) details.sort = `${request.sort.descending ? "-" : ""}${request.sort.field}`;
  if (request.cursor) details.nextPage = true;
  return details;
}
