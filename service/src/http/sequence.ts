/**
 * Several handlers run in order as one express layer.
 *
 * Every layer a request walks through costs it the router's bookkeeping (the layer's match,
 * `next`, a promise handler for an async one); on a route as light as a cached search the
 * guard chain's five layers cost more than the route's own work. Same semantics as separate
 * layers: a handler that throws, rejects or calls `next(err)` ends the chain with that error,
 * `next("route")` and `next("router")` are passed on, and the chain ends in the outer `next`.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";

export function inSequence(...handlers: RequestHandler[]): RequestHandler {
  return (req: Request, res: Response, done: NextFunction) => {
    let i = 0;
    const next = (err?: unknown): void => {
      if (err !== undefined && err !== null) return done(err);
      const handler = handlers[i++];
      if (!handler) return done();
      try {
        const returned: unknown = handler(req, res, next);
        if (returned instanceof Promise) {
          returned.then(undefined, (e: unknown) => next(e ?? new Error("Rejected promise")));
        }
      } catch (e) {
        next(e);
      }
    };
    next();
  };
}
