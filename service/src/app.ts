/**
 * The express application: observability first, then probes and metrics, then the API, then
 * the 404 and the one error middleware. Pure composition: `runtime.ts` builds what it uses.
 */
import express, { type Express } from "express";
import { deadline } from "./http/deadline";
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

  app.use(observe(ctx.metrics, ctx.logger));
  app.use(deadline(ctx.settings.server.requestTimeoutMs));
  app.use((_req, res, next) => {
    // While draining, close each connection after its response (clients reconnect elsewhere,
    // and the drain does not wait for idle keep-alive sockets). Decided when the headers are
    // written, not when the request arrived: requests in flight at SIGTERM count too.
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      if (ctx.lifecycle.draining) this.shouldKeepAlive = false;
      return writeHead.apply(this, args);
    } as typeof writeHead;
    next();
  });
  app.use(healthRoutes(ctx));
  app.use("/v1", v1Routes(ctx));
  app.use(notFound);
  app.use(errorHandler(ctx.logger));
  return app;
}
