/** Per-request state kept on `res.locals`, behind typed accessors. */
import type { Request, RequestHandler, Response } from "express";
import type { Principal } from "../domain/principal";
import { AppError } from "./errors";

interface Locals {
  requestId?: string;
  principal?: Principal;
  errorCode?: string;
  route?: string;
}

const locals = (res: Response) => res.locals as Locals;

export function requestIdOf(res: Response): string {
  return locals(res).requestId ?? "-";
}

export function setRequestId(res: Response, id: string): void {
  locals(res).requestId = id;
}

/** The authenticated caller; only routes behind `authenticate` may ask. */
export function principalOf(res: Response): Principal {
  const p = locals(res).principal;
  if (!p) throw AppError.internal(new Error("route reached without authentication"));
  return p;
}

export function maybePrincipalOf(res: Response): Principal | undefined {
  return locals(res).principal;
}

export function setPrincipal(res: Response, principal: Principal): void {
  locals(res).principal = principal;
}

export function errorCodeOf(res: Response): string | undefined {
  return locals(res).errorCode;
}

export function setErrorCode(res: Response, code: string): void {
  locals(res).errorCode = code;
}

/** The matched route's pattern, e.g. `/v1/documents/:id` (a metrics label: bounded). */
export function routeOf(req: Request, res: Response): string {
  const recorded = locals(res).route;
  if (recorded) return recorded;
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === "string" ? `${req.baseUrl}${path}` : "unmatched";
}

/** Records the route while `req.baseUrl` is still the router's (errors reset it). */
export const recordRoute: RequestHandler = (req, res, next) => {
  locals(res).route = routeOf(req, res);
  next();
};
