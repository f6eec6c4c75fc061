/**
 * An independent SigV4 query-string presigner, written from AWS's specification with node:crypto
 * only, for checking the service's IAM auth tokens offline. The tests first hold it to the AWS
 * SDK's own RDS signer (@aws-sdk/rds-signer), then use it as the reference for ElastiCache tokens,
 * for which AWS publishes a procedure but no SDK signer.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac } from "node:crypto";

export interface ReferenceCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface PresignInput {
  readonly service: string;
  readonly region: string;
  /** The `host` header: host, or host:port. */
  readonly host: string;
  readonly query: Readonly<Record<string, string>>;
  readonly credentials: ReferenceCredentials;
  readonly signingDate: Date;
  readonly expiresInSeconds: number;
}

/** `<host>/?<query with X-Amz-* and the signature, keys sorted>`: the token format. */
export function referencePresign(input: PresignInput): string {
  const amzDate = input.signingDate.toISOString().replace(/[-:]|\.\d{3}/g, ""); // 20260304T050607Z
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const params: Record<string, string> = {
    ...input.query,
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${input.credentials.accessKeyId}/${scope}`,
    "X-Amz-Date": amzDate,
    "X-Amz-Expires": String(input.expiresInSeconds),
    "X-Amz-SignedHeaders": "host",
    ...(input.credentials.sessionToken
      ? { "X-Amz-Security-Token": input.credentials.sessionToken }
      : {}),
  };
  const canonicalRequest = [
    "GET",
    "/",
    canonicalQuery(params),
    `host:${input.host}`,
    "",
    "host",
    sha256Hex(""), // no body
  ].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  let key: Buffer = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  for (const part of [input.region, input.service, "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(stringToSign).digest("hex");
  return `${input.host}/?${canonicalQuery({ ...params, "X-Amz-Signature": signature })}`;
}

function canonicalQuery(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

/** RFC 3986 unreserved characters stay, everything else is %XX (uppercase). */
function uriEncode(value: string): string {
  return [...Buffer.from(value, "utf8")]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-._~]/.test(c)
        ? c
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

export interface HeaderSignatureInput {
  readonly method: string;
  readonly path: string;
  /** Header names in lower case, as received. */
  readonly headers: Readonly<Record<string, string>>;
  /** The headers the signature covers, lower case (SignedHeaders). */
  readonly signedHeaders: readonly string[];
  readonly body: string;
  readonly service: string;
  readonly region: string;
  readonly secretAccessKey: string;
  /** `x-amz-date`: 20260304T050607Z. */
  readonly amzDate: string;
}

/**
 * The signature of a request signed in its Authorization header (no query string), from AWS's
 * specification: what a server that holds the secret key recomputes to check a request.
 */
export function referenceHeaderSignature(input: HeaderSignatureInput): string {
  const day = input.amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const names = [...input.signedHeaders].sort();
  const canonicalRequest = [
    input.method,
    input.path,
    "",
    ...names.map((n) => `${n}:${(input.headers[n] ?? "").trim().replace(/\s+/g, " ")}`),
    "",
    names.join(";"),
    sha256Hex(input.body),
  ].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", input.amzDate, scope, sha256Hex(canonicalRequest)].join(
    "\n",
  );
  let key: Buffer = hmac(`AWS4${input.secretAccessKey}`, day);
  for (const part of [input.region, input.service, "aws4_request"]) key = hmac(key, part);
  return createHmac("sha256", key).update(stringToSign).digest("hex");
}
