/**
 * A local HTTP server standing in for KMS's `GenerateMac` (the AWS boundary; nothing else is
 * mocked). It checks every request the way KMS would see it — the operation header, the JSON
 * protocol's content type, the body, and the SigV4 signature, recomputed here from AWS's
 * specification (`referenceHeaderSignature`) for service `kms`, the expected region and the
 * test's credentials — and answers with the HMAC-SHA256 of the message under key material it
 * holds per key id, computed here. A request it would refuse is answered like KMS (400 with a
 * JSON `__type`) and its reasons are kept in `problems`.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { referenceHeaderSignature, type ReferenceCredentials } from "./sigv4-reference";

export interface KmsRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The parsed Authorization header. */
  readonly credential: string;
  readonly signedHeaders: readonly string[];
}

export interface KmsStandInOptions {
  readonly region: string;
  readonly credentials: ReferenceCredentials;
  /** Key material by every id a request may name (key id, ARN, alias). */
  readonly keys: Readonly<Record<string, Buffer>>;
}

export class KmsStandIn {
  readonly requests: KmsRequest[] = [];
  /** Why requests were refused as malformed (empty when every request was well-formed). */
  readonly problems: string[] = [];
  private readonly refused = new Map<string, string>();
  private failures: { count: number; status: number; type: string } = {
    count: 0,
    status: 0,
    type: "",
  };
  private server: Server | undefined;

  constructor(private readonly options: KmsStandInOptions) {}

  /** GenerateMac on `keyId` is refused with this error type (as IAM or the key's state would). */
  refuse(keyId: string, type = "AccessDeniedException"): void {
    this.refused.set(keyId, type);
  }

  /** The next `count` requests fail with this status and error type (KMS in trouble). */
  failNext(count: number, status = 500, type = "KMSInternalException"): void {
    this.failures = { count, status, type };
  }

  /** Listens on 127.0.0.1 and a free port; returns the endpoint URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const answer = this.answer(req, body);
        res.writeHead(answer.status, {
          "content-type": "application/x-amz-json-1.1",
          ...(answer.status === 200 ? {} : { "x-amzn-errortype": String(answer.body.__type) }),
        });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** The MAC the stand-in answers for `message` under `keyId`'s material. */
  mac(keyId: string, message: string | Buffer): Buffer {
    return createHmac("sha256", this.options.keys[keyId]).update(message).digest();
  }

  private answer(
    req: IncomingMessage,
    body: string,
  ): { status: number; body: Record<string, unknown> } {
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]),
    );
    const auth =
      /^AWS4-HMAC-SHA256 Credential=(\S+), SignedHeaders=(\S+), Signature=([0-9a-f]{64})$/.exec(
        headers.authorization ?? "",
      );
    const refuse = (problem: string, type = "ValidationException") => {
      this.problems.push(problem);
      return { status: 400, body: { __type: type, message: problem } };
    };
    if (!auth)
      return refuse(
        `no SigV4 Authorization header: "${headers.authorization}"`,
        "MissingAuthenticationTokenException",
      );
    const [, credential, signedHeaderList, signature] = auth;
    const signedHeaders = signedHeaderList.split(";");
    this.requests.push({ headers, body, credential, signedHeaders });

    if (this.failures.count > 0) {
      this.failures.count -= 1;
      return {
        status: this.failures.status,
        body: { __type: this.failures.type, message: "try again" },
      };
    }
    if (req.method !== "POST" || req.url !== "/") return refuse(`${req.method} ${req.url}`);
    if (headers["x-amz-target"] !== "TrentService.GenerateMac") {
      return refuse(`X-Amz-Target is "${headers["x-amz-target"]}"`, "UnknownOperationException");
    }
    if (headers["content-type"] !== "application/x-amz-json-1.1") {
      return refuse(`Content-Type is "${headers["content-type"]}"`);
    }
    const amzDate = headers["x-amz-date"] ?? "";
    const { accessKeyId, secretAccessKey, sessionToken } = this.options.credentials;
    const scope = `${amzDate.slice(0, 8)}/${this.options.region}/kms/aws4_request`;
    if (credential !== `${accessKeyId}/${scope}`) {
      return refuse(
        `Credential is ${credential}, expected ${accessKeyId}/${scope}`,
        "InvalidSignatureException",
      );
    }
    for (const needed of ["host", "x-amz-date", "x-amz-target", "content-type"]) {
      if (!signedHeaders.includes(needed))
        return refuse(`${needed} is not signed`, "InvalidSignatureException");
    }
    if (sessionToken && headers["x-amz-security-token"] !== sessionToken) {
      return refuse("the session token is missing", "UnrecognizedClientException");
    }
    const expected = referenceHeaderSignature({
      method: "POST",
      path: "/",
      headers,
      signedHeaders,
      body,
      service: "kms",
      region: this.options.region,
      secretAccessKey,
      amzDate,
    });
    if (signature !== expected)
      return refuse("the signature does not match", "InvalidSignatureException");

    let input: { KeyId?: unknown; MacAlgorithm?: unknown; Message?: unknown };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return refuse(`the body is not JSON: ${body}`, "SerializationException");
    }
    if (Object.keys(input).sort().join(",") !== "KeyId,MacAlgorithm,Message") {
      return refuse(`unexpected fields: ${Object.keys(input).join(",")}`);
    }
    if (input.MacAlgorithm !== "HMAC_SHA_256")
      return refuse(`MacAlgorithm ${String(input.MacAlgorithm)}`);
    const keyId = String(input.KeyId);
    const refusal = this.refused.get(keyId);
    if (refusal) {
      return {
        status: 400,
        body: { __type: refusal, message: `not authorized to perform kms:GenerateMac on ${keyId}` },
      };
    }
    if (!this.options.keys[keyId]) {
      return {
        status: 400,
        body: { __type: "NotFoundException", message: `Key '${keyId}' does not exist` },
      };
    }
    const message = Buffer.from(String(input.Message), "base64");
    return {
      status: 200,
      body: {
        KeyId: keyId,
        Mac: this.mac(keyId, message).toString("base64"),
        MacAlgorithm: "HMAC_SHA_256",
      },
    };
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
