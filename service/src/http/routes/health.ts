/**
 * Kubernetes probes and Prometheus metrics (no authentication, no rate limit).
 *
 * Readiness reports whether *this pod* should get traffic: it fails while starting and from the
 * moment a drain begins. It does not fail when PostgreSQL or Redis does: every pod shares them,
 * so failing readiness would take the whole service out of the load balancer instead of letting
 * it degrade (cache-less search, cached results, a 503 with Retry-After).
 */
import { Router } from "express";
import type { HttpContext } from "../services";

export function healthRoutes(ctx: HttpContext): Router {
  const router = Router();
  const json = "application/json; charset=utf-8";

  router.get("/health/live", (_req, res) => {
    res.status(200).setHeader("content-type", json).send('{"status":"ok"}');
  });

  router.get("/health/startup", (_req, res) => {
    const { started, startupProblem } = ctx.lifecycle;
    res
      .status(started ? 200 : 503)
      .json(started ? { status: "ok" } : { status: "starting", reason: startupProblem ?? null });
  });

  router.get("/health/ready", (_req, res) => {
    const { started, draining } = ctx.lifecycle;
    const ready = started && !draining;
    res.status(ready ? 200 : 503).json({
      status: ready ? "ok" : draining ? "draining" : "starting",
      redis: ctx.redisStatus(),
    });
  });

  router.get("/metrics", async (_req, res) => {
    const body = await ctx.metrics.registry.metrics();
    res.status(200).setHeader("content-type", ctx.metrics.registry.contentType).send(body);
  });

  return router;
}
