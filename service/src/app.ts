/**
 * The express application: observability first, then probes and metrics, then the API, then
 * the 404 and the one error middleware. Pure composition: `runtime.ts` builds what it uses.
 */
import express, { type Express } from "express";
import { errorHandler, notFound } from "./http/error-handler";
import { observe } from "./http/observe";
import { healthRoutes } from "./http/routes/health";
import { v1Routes } from "./http/routes/v1";
import type { HttpContext } from "./http/services";

export function createApp(ctx: HttpContext): Express {
  const app = express();
  app.disable("x-powered-by");
  // ETags would hash every search response; clients page with cursors, not conditional GETs.
  app.set("etag", false);
  app.set("trust proxy", ctx.settings.server.trustProxyHops);

  // One middleware for what every request needs: request id, metrics and log line, the
  // whole-request deadline, and Connection: close while draining.
  app.use(observe(ctx.metrics, ctx.logger, ctx.lifecycle, ctx.settings.server.requestTimeoutMs));
  // The API first: its requests then never walk the probes' routes. Search, the hottest route,
  // is matched at the application's level, before the /v1 router: a cached search then walks
  // two layers, not a mounted router's prefix handling and the routes declared before it.
  const v1 = v1Routes(ctx);
  app.get("/v1/search", v1.search);
  app.use("/v1", v1.router);
  app.use(healthRoutes(ctx));
  app.use(notFound);
  app.use(errorHandler(ctx.logger));
  return app;
}
