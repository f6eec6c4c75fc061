/**
 * Structured JSON logs (pino). Request logs carry the request id and never the Authorization
 * header, an API key, a query string or a body: only the fields listed in `http/request-log.ts`.
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
      // Defence in depth: should a header object ever be logged, its secrets are not.
      redact: {
        paths: ["req.headers.authorization", "headers.authorization", "*.password", "apiKey"],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
