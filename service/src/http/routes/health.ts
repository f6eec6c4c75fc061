/**
 * Kubernetes probes and Prometheus metrics (no authentication, no rate limit).
 *
 * Readiness reports whether *this pod* should get traffic, and each dependency with its breaker
 * state (resilience/readiness.ts): 503 while starting, from the moment a drain begins, and when
 * neither PostgreSQL endpoint answers; 200 otherwise, with status "degraded" when a dependency
 * is down but the pod still serves (Redis down: search from PostgreSQL; one PostgreSQL endpoint
 * down: the other). It does not fail for Redis: every pod shares it, and failing readiness
 * would take the whole service out of the load balancer instead of letting it degrade.
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

  router.get("/health/ready", async (_req, res) => {
    const { started, draining } = ctx.lifecycle;
    if (draining) {
      // The pools are closing: nothing to probe, the answer is no.
      res.status(503).json({ status: "draining" });
      return;
    }
    const { ready, status, dependencies } = await ctx.readiness();
    if (!started) res.status(503).json({ status: "starting", dependencies });
    else res.status(ready ? 200 : 503).json({ status, dependencies });
  });

  router.get("/metrics", async (_req, res) => {
    const body = await ctx.metrics.registry.metrics();
    res.status(200).setHeader("content-type", ctx.metrics.registry.contentType).send(body);
  });

  return router;
}
