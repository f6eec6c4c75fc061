/** JSON request bodies: media type checked, size bounded by `limits.maxBodyBytes`. */
import express, { type RequestHandler } from "express";
import { AppError } from "./errors";

export function jsonBody(maxBodyBytes: number): RequestHandler[] {
  return [
    (req, _res, next) => {
      if (!req.is("application/json")) {
        throw new AppError(
          415,
          "unsupported_media_type",
          "Send the body as JSON with `Content-Type: application/json`.",
        );
      }
      next();
    },
    express.json({ limit: maxBodyBytes, strict: true }),
  ];
}

/** body-parser's errors carry a `type`; map the ones a client causes. */
export function bodyParserError(err: unknown): AppError | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  switch (type) {
    case "entity.too.large":
      return new AppError(413, "payload_too_large", "The request body is too large.");
    case "entity.parse.failed":
      return new AppError(400, "invalid_json", "The request body is not valid JSON.");
    case "encoding.unsupported":
    case "charset.unsupported":
      return new AppError(415, "unsupported_media_type", "Send the body as UTF-8 JSON.");
    case "request.aborted":
    case "request.size.invalid":
      return new AppError(400, "invalid_json", "The request body was incomplete.");
    default:
      return undefined;
  }
}
