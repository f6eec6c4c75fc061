/**
 * The throughput ceiling of this machine for a cached search: a bare express endpoint that sends
 * a Redis value as is (same client options as the service: ioredis with auto-pipelining).
 * Run by bench.ts as a child process: PORT, REDIS_URL and CEILING_KEY from the environment.
 */
import express from "express";
import { Redis } from "ioredis";

const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
  enableAutoPipelining: true,
});
const key = process.env.CEILING_KEY ?? "bench:ceiling";
const app = express();
app.disable("x-powered-by");
app.set("etag", false);
app.get("/value", async (_req, res) => {
  const value = await redis.getBuffer(key);
  res.status(200).setHeader("content-type", "application/json; charset=utf-8").send(value);
});
const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
process.once("SIGTERM", () => {
  server.close();
  redis.disconnect();
});
