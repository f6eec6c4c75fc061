/**
 * The audit trail as the HTTP layer uses it: every request to an /v1 route is recorded — who
 * (key id, role), tenant, action, when, request id, outcome, HTTP status, result count, the
 * classifications shown unmasked and masked, the query as a keyed digest — denials (401, 403,
 * 429) included.
 *
 * Fail-closed presets (`audit.failClosed`): a response that serves something (2xx) is held
 * until its record is committed, and replaced by 503 when it cannot be; a change (write,
 * delete, erasure, key management) is also recorded as an `attempt` before it is made, so no
 * change happens without a record even if the response's own record then fails. Denials and
 * errors serve nothing: their records are spooled. Otherwise every record is spooled.
 */
import type { Request, RequestHandler, Response } from "express";
import type { Classification } from "../config/compliance";
import type { ServiceSettings } from "../config/settings";
import { errorCodeOf, maybePrincipalOf, requestIdOf, setErrorCode } from "../http/context";
import { AppError, errorBody } from "../http/errors";
import {
  NO_TENANT,
  newRecordId,
  type AuditKeys,
  type AuditOutcome,
  type AuditRecord,
  type DetailValue,
} from "./audit-record";
import type { AuditWriter } from "./audit-writer";
import { FREE_TEXT_KINDS, maskFreeText } from "./detectors";
import type { AccessSummary } from "./masking";

/** What a route tells the trail about the request it served. */
export interface AuditNote {
  resource?: string | null;
  resultCount?: number;
  access?: AccessSummary;
  /** The search query (recorded as a digest, or masked text where the preset allows). */
  query?: string;
  details?: Record<string, DetailValue>;
  /** A page summary read from a search response (see `noteSearchResult`). */
  page?: { count: number; classifications: Classification[]; masked: Classification[] };
}

interface AuditLocals {
  /** `params`: the route's, kept here (express resets req.params for the error handler). */
  audit?: { action: string; note: AuditNote; params: Record<string, unknown> };
}

const ALL_KINDS = new Set(FREE_TEXT_KINDS);

/** Response headers kept when a response is replaced by the 503 of a failed audit write. */
const KEPT_HEADERS = new Set([
  "x-request-id",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
]);

export class AuditTrail {
  constructor(
    private readonly settings: ServiceSettings["governance"]["audit"],
    readonly keys: AuditKeys,
    private readonly writer: AuditWriter | undefined,
    private readonly onRefused: (requestId: string, err: unknown) => void,
  ) {}

  get enabled(): boolean {
    return this.settings.enabled && this.writer !== undefined;
  }

  get failClosed(): boolean {
    return this.settings.failClosed;
  }

  /**
   * Middleware, first on an audited route: records the request when its response is sent,
   * holding the response for the commit where the preset says so.
   */
  audited(action: string): RequestHandler {
    return (req, res, next) => {
      if (!this.enabled) return next();
      (res.locals as AuditLocals).audit = { action, note: {}, params: { ...req.params } };
      const end = res.end as (...args: unknown[]) => Response;
      const send = (args: unknown[]) => end.apply(res, args);
      let intercepted = false;
      res.end = ((...args: unknown[]) => {
        // A second end (the request deadline answering meanwhile) goes straight out.
        if (intercepted) return send(args);
        intercepted = true;
        const record = this.recordOf(req, res, action);
        if (!this.mustWait(record.outcome)) {
          this.writer!.spool(record);
          return send(args);
        }
        this.writer!.commit(record).then(
          () => {
            if (!res.writableEnded && !res.destroyed) send(args);
          },
          (err: unknown) => this.refuse(res, end, err),
        );
        return res;
      }) as typeof res.end;
      next();
    };
  }

  /**
   * Middleware, after authorization and before the change: under a fail-closed preset, commits
   * an `attempt` record first (503 when it cannot), so no change is made unrecorded.
   */
  intent(): RequestHandler {
    return async (req, res, next) => {
      const state = (res.locals as AuditLocals).audit;
      if (!this.enabled || !this.failClosed || !state) return next();
      await this.writer!.commit(this.recordOf(req, res, state.action, "attempt"));
      next();
    };
  }

  private mustWait(outcome: AuditOutcome): boolean {
    return this.settings.failClosed && (outcome === "allowed" || outcome === "attempt");
  }

  /** The record of a request as it stands (its response status, or `attempt`). */
  recordOf(req: Request, res: Response, action: string, attempt?: "attempt"): AuditRecord {
    const principal = maybePrincipalOf(res);
    const state = (res.locals as AuditLocals).audit;
    const note = state?.note ?? {};
    const status = attempt ? 0 : res.statusCode;
    const outcome: AuditOutcome = attempt
      ? "attempt"
      : status < 400
        ? "allowed"
        : status === 401 || status === 403 || status === 429
          ? "denied"
          : "error";
    const tenantId = principal?.tenantId ?? NO_TENANT;
    const served = outcome === "allowed";
    const details: Record<string, DetailValue> = { ...note.details };
    const errorCode = errorCodeOf(res);
    if (!served && !attempt && errorCode) details.errorCode = errorCode;
    const shown = note.page?.classifications ?? (note.access ? [...note.access.shown] : []);
    const masked = note.page?.masked ?? (note.access ? [...note.access.masked] : []);
    return {
      id: newRecordId(),
      tenantId,
      occurredAt: new Date(),
      requestId: requestIdOf(res),
      keyId: principal?.keyId ?? null,
      role: principal?.role ?? null,
      action,
      resource: note.resource !== undefined ? note.resource : this.resourceOf(state, tenantId),
      outcome,
      status,
      resultCount: served ? (note.page?.count ?? note.resultCount ?? null) : null,
      classifications: served ? shown : [],
      maskedClassifications: served ? masked : [],
      queryDigest: note.query === undefined ? null : this.keys.queryDigest(tenantId, note.query),
      queryText:
        note.query === undefined || this.settings.hashQueries
          ? null
          : maskFreeText(note.query, ALL_KINDS).text,
      clientIp: req.ip ?? null,
      details: Object.keys(details).length > 0 ? details : null,
    };
  }

  /**
   * What a request is about before (or without) its route saying so: the `:id` of the path, or
   * the digest of its `:subjectId` (a person's id is never recorded as such).
   */
  private resourceOf(state: AuditLocals["audit"], tenantId: string): string | null {
    const { subjectId, id } = state?.params ?? {};
    if (typeof subjectId === "string") {
      return `subject:${this.keys.subjectDigest(tenantId, subjectId)}`;
    }
    return typeof id === "string" ? id.slice(0, 64) : null;
  }

  /** Replaces a held response by 503: nothing of what was going to be sent leaves. */
  private refuse(res: Response, end: (...args: unknown[]) => Response, err: unknown): void {
    const requestId = requestIdOf(res);
    this.onRefused(requestId, err);
    if (res.writableEnded || res.destroyed) return;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const error =
      err instanceof AppError && err.status === 503
        ? err
        : AppError.unavailable("The audit trail cannot be written; try again shortly.", err);
    for (const name of res.getHeaderNames()) {
      if (!KEPT_HEADERS.has(name)) res.removeHeader(name);
    }
    const body = errorBody(error, requestId);
    setErrorCode(res, error.code);
    res.statusCode = error.status;
    res.setHeader("content-type", "application/json; charset=utf-8");
    res.setHeader("content-length", Buffer.byteLength(body));
    res.setHeader("retry-after", String(error.retryAfterSeconds ?? 5));
    end.call(res, body);
  }
}

/** Tells the trail about the request (merged into what earlier calls noted). */
export function noteAccess(res: Response, note: AuditNote): void {
  const target = (res.locals as AuditLocals).audit?.note;
  if (!target) return;
  if (note.details) target.details = Object.assign(target.details ?? {}, note.details);
  if (note.resource !== undefined) target.resource = note.resource;
  if (note.resultCount !== undefined) target.resultCount = note.resultCount;
  if (note.access !== undefined) target.access = note.access;
  if (note.query !== undefined) target.query = note.query;
  if (note.page !== undefined) target.page = note.page;
}

const PAGE_MARK = '"page":{"count":';
const PAGE = /^"page":\{"count":(\d+),"classifications":\[([^\]]*)\],"masked":\[([^\]]*)\]\}/;
const names = (list: string) =>
  (list === "" ? [] : list.split(",").map((q) => q.slice(1, -1))) as Classification[];

/**
 * Reads a search response's `page` summary from its first bytes (it is serialized first; a
 * stale answer has a short `meta` before it), so a cached answer is never parsed whole.
 */
export function noteSearchResult(res: Response, body: string | Buffer): void {
  if (!(res.locals as AuditLocals).audit) return;
  const at = body.indexOf(PAGE_MARK);
  if (at < 0) return;
  const head =
    typeof body === "string" ? body.slice(at, at + 256) : body.toString("latin1", at, at + 256);
  const m = PAGE.exec(head);
  if (!m) return;
  noteAccess(res, {
    page: { count: Number(m[1]), classifications: names(m[2]), masked: names(m[3]) },
  });
}
