/**
 * Structured JSON logs (pino). Request logs carry the request id and never the Authorization
 * header, an API key, a query string or a body: only the fields listed in `http/observe.ts`.
 * Nothing logs request or header objects, so there is nothing to redact (pino's redaction would
 * cost every line a pass over its paths).
 */
import pino, { type DestinationStream, type Logger } from "pino";
import type { ServiceSettings } from "../config/settings";

export type { Logger };

export function createLogger(settings: ServiceSettings, destination?: DestinationStream): Logger {
  return pino(
    {
      level: settings.observability.logLevel,
      base: { service: "search", environment: settings.environment },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Asynchronous, written in chunks of 4 KiB (one write per ~15 request lines instead of one
    // each); flushed on shutdown. A crash can lose the last unwritten chunk.
    destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096 }),
  );
}
