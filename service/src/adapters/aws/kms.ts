/**
 * KMS `GenerateMac` through KMS's JSON API: one SigV4-signed POST (service `kms`), no SDK
 * client. The service asks KMS for exactly one thing at start-up (its audit key, see
 * governance/audit-key-derivation.ts), which does not justify `@aws-sdk/client-kms` and its
 * dependency tree in the image; the signer and the credential chain are the ones the IAM auth
 * tokens already use.
 *
 * The endpoint is `https://kms.<region>.<dns suffix>/`, or the standard overrides
 * `AWS_ENDPOINT_URL_KMS` / `AWS_ENDPOINT_URL` (read by the caller: a VPC endpoint's DNS name,
 * or a local stand-in in tests).
 *
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html
 * @see https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { CredentialProvider } from "./credentials";

/** KMS's regional endpoint (`amazonaws.com.cn` in the China regions). */
export function kmsEndpoint(region: string): string {
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://kms.${region}.${suffix}/`;
}

export interface KmsClientOptions {
  /** The region requests are signed for. */
  readonly region: string;
  /** Where requests go. @default kmsEndpoint(region) */
  readonly endpoint?: string;
  readonly credentials: CredentialProvider;
  /** One request's deadline, connection included. @default 5000 */
  readonly timeoutMs?: number;
  /** Milliseconds since the epoch (the signing date). @default Date.now */
  readonly now?: () => number;
}

/**
 * A `GenerateMac` that did not produce a MAC. `retryable`: KMS was unreachable, timed out,
 * failed on its side or throttled; otherwise KMS refused (access denied, no such key, disabled
 * key, wrong key usage...) and asking again will not help.
 */
export class KmsRequestError extends Error {
  constructor(
    message: string,
    /** KMS's error type (`AccessDeniedException`), or `NetworkError` / `Timeout`. */
    readonly code: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "KmsRequestError";
  }
}

/** Error types KMS answers with 4xx that are worth another attempt. */
const RETRYABLE_CODES = new Set([
  "ThrottlingException",
  "RequestLimitExceeded",
  "KMSInternalException",
  "DependencyTimeoutException",
  "KeyUnavailableException",
]);

/** Responses larger than this are not KMS answering GenerateMac. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * HMAC of `message` under the KMS HMAC key `keyId` (key id, key ARN, alias name or alias ARN).
 * @throws KmsRequestError
 */
export async function generateMac(
  input: {
    readonly keyId: string;
    readonly message: Uint8Array;
    readonly algorithm: "HMAC_SHA_224" | "HMAC_SHA_256" | "HMAC_SHA_384" | "HMAC_SHA_512";
  },
  options: KmsClientOptions,
): Promise<Buffer> {
  const endpoint = new URL(options.endpoint ?? kmsEndpoint(options.region));
  const body = JSON.stringify({
    KeyId: input.keyId,
    MacAlgorithm: input.algorithm,
    Message: Buffer.from(input.message).toString("base64"),
  });
  let credentials;
  try {
    credentials = await options.credentials();
  } catch (err) {
    throw new KmsRequestError(
      `no AWS credentials to sign with: ${(err as Error).message}`,
      "CredentialsError",
      true,
      { cause: err },
    );
  }
  const signer = new SignatureV4({
    service: "kms",
    region: options.region,
    credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname || "/",
      query: {},
      headers: {
        host: endpoint.host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "TrentService.GenerateMac",
      },
      body,
    },
    { signingDate: new Date((options.now ?? Date.now)()) },
  );
  const response = await post(
    endpoint,
    {
      ...(signed.headers as Record<string, string>),
      "content-length": String(Buffer.byteLength(body)),
    },
    body,
    options.timeoutMs ?? 5_000,
  );
  const parsed = parseJson(response.body);
  if (response.status === 200) {
    const mac = typeof parsed?.Mac === "string" ? Buffer.from(parsed.Mac, "base64") : undefined;
    if (!mac || mac.length === 0) {
      throw new KmsRequestError("KMS answered 200 without a Mac", "InvalidResponse", true);
    }
    return mac;
  }
  const code = errorCode(response.headers["x-amzn-errortype"], parsed);
  const message = typeof parsed?.message === "string" ? parsed.message : parsed?.Message;
  throw new KmsRequestError(
    `KMS answered ${response.status} ${code}${typeof message === "string" ? `: ${message}` : ""}`,
    code,
    response.status >= 500 || response.status === 429 || RETRYABLE_CODES.has(code),
  );
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One POST with the exact headers given (the signed `host` included), bounded in time and size. */
function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<RawResponse> {
  const send = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: "POST", headers, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            req.destroy(new Error(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", fail);
      },
    );
    function fail(err: Error) {
      const timedOut = err.name === "AbortError" || err.name === "TimeoutError";
      reject(
        new KmsRequestError(
          timedOut
            ? `no answer from ${url.origin} within ${timeoutMs} ms`
            : `cannot reach ${url.origin}: ${err.message}`,
          timedOut ? "Timeout" : "NetworkError",
          true,
          { cause: err },
        ),
      );
    }
    req.on("error", fail);
    req.end(body);
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- KMS's JSON, checked field by field
function parseJson(text: string): Record<string, any> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `com.amazonaws.kms#NotFoundException` or `NotFoundException:http://...` → `NotFoundException`. */
function errorCode(
  header: string | string[] | undefined,
  body: Record<string, unknown> | undefined,
): string {
  const raw = (typeof header === "string" ? header : undefined) ?? body?.__type ?? body?.code;
  if (typeof raw !== "string" || raw.length === 0) return "UnknownError";
  return raw.split(":")[0].split("#").pop()!;
}
