/**
 * The audit key derived through KMS (AUDIT_HMAC_KMS_KEY_ID): against a local HTTP server standing
 * in for KMS's GenerateMac, which checks the request (operation, JSON body, the SigV4 signature
 * for service kms in the key's region) and answers with an HMAC it computes itself; checkpoints
 * signed under the derived key against the real PostgreSQL; the admin CLI's audit-verify with
 * the SDK's default credential chain after a rotation.
 */
import { KeyObject, randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { inspect } from "node:util";
import type { Client } from "pg";
import { InvalidSettingsError } from "../../src/config";
import { loadConfig, type AuditKeyMaterial } from "../../src/config/load";
import {
  AUDIT_KEY_CONTEXT,
  AuditKeyDerivationError,
  auditKeyMaterial,
  resolveAuditKeys,
} from "../../src/governance/audit-key-derivation";
import { TestEnvironment, type TestServer } from "../support/environment";
import { KmsStandIn } from "../support/kms-stand-in";
import { eventually } from "./helpers";

const REGION = "eu-west-1";
const ACCOUNT = "111122223333";
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/2f1c4a57-0c6e-4a43-9a36-6f4d1f0f7a01`;
const OLD_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/7d0e3b0a-5d1e-4b8e-8a55-0b4c2b9f3e12`;
const OLD_ALIAS = "alias/search-test/audit-hmac-2025";
const credentials = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "session-token-of-the-pod",
};
const credentialProvider = async () => credentials;

const kms = new KmsStandIn({
  region: REGION,
  credentials,
  keys: {
    [KEY_ARN]: randomBytes(32),
    [OLD_KEY_ARN]: randomBytes(32),
    [OLD_ALIAS]: randomBytes(32),
  },
});
let kmsUrl = "";
const env = new TestEnvironment();
let owner: Client;

beforeAll(async () => {
  kmsUrl = await kms.start();
  await env.setUp();
  owner = await env.connectAs("postgres");
});
afterAll(async () => {
  await owner.end();
  await env.tearDown();
  await kms.stop();
});
beforeEach(() => {
  kms.requests.length = 0;
  kms.problems.length = 0;
});

const productionEnv = (extra: Record<string, string> = {}) => ({
  NODE_ENV: "production",
  AWS_REGION: REGION,
  AWS_ENDPOINT_URL_KMS: kmsUrl,
  AUDIT_HMAC_KMS_KEY_ID: KEY_ARN,
  ...extra,
});

const derive = async (extra: Record<string, string> = {}): Promise<AuditKeyMaterial> =>
  auditKeyMaterial(
    (
      await resolveAuditKeys(loadConfig(productionEnv(extra)), {
        credentials: credentialProvider,
        initialDelayMs: 10,
      })
    ).endpoints.auditKeys,
  );

const bytes = (key: string | KeyObject) =>
  typeof key === "string" ? Buffer.from(key, "utf8") : key.export();

describe("the audit key derived through KMS", () => {
  it("is KMS's HMAC of the versioned context, asked for with a SigV4-signed GenerateMac for kms in the key's region", async () => {
    const material = await derive();

    expect(kms.problems).toEqual([]);
    expect(kms.requests).toHaveLength(1);
    const [request] = kms.requests;
    expect(request.headers).toMatchObject({
      "x-amz-target": "TrentService.GenerateMac",
      "content-type": "application/x-amz-json-1.1",
      "x-amz-security-token": credentials.sessionToken,
    });
    expect(request.credential).toMatch(
      new RegExp(`^${credentials.accessKeyId}/\\d{8}/${REGION}/kms/aws4_request$`),
    );
    expect(JSON.parse(request.body)).toEqual({
      KeyId: KEY_ARN,
      MacAlgorithm: "HMAC_SHA_256",
      Message: Buffer.from(AUDIT_KEY_CONTEXT).toString("base64"),
    });
    expect(material.current).toBeInstanceOf(KeyObject);
    expect(bytes(material.current)).toEqual(kms.mac(KEY_ARN, AUDIT_KEY_CONTEXT));
    expect(bytes(material.current)).toHaveLength(32);
    expect(material).toMatchObject({ previous: [], development: false });
  });

  it("never shows the key when printed or serialized", async () => {
    const material = await derive();
    const key = bytes(material.current);
    const printed = [
      JSON.stringify(material),
      inspect(material, { depth: 5 }),
      String(material.current),
    ].join("\n");

    for (const encoding of ["hex", "base64", "base64url"] as const) {
      expect(printed).not.toContain(key.toString(encoding));
    }
  });

  it("derives the keys from before a rotation for verification, and keeps earlier keys given as such", async () => {
    const given = "p".repeat(32);

    const material = await derive({
      AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS: `${OLD_KEY_ARN}, ${OLD_ALIAS}`,
      AUDIT_HMAC_PREVIOUS_KEYS: given,
    });

    expect(kms.problems).toEqual([]);
    expect(material.previous.map(bytes)).toEqual([
      kms.mac(OLD_KEY_ARN, AUDIT_KEY_CONTEXT),
      kms.mac(OLD_ALIAS, AUDIT_KEY_CONTEXT),
      Buffer.from(given),
    ]);
  });

  it("goes to AWS_ENDPOINT_URL_KMS, else AWS_ENDPOINT_URL, else KMS's regional endpoint", () => {
    const endpointOf = (extra: Record<string, string | undefined>) =>
      (loadConfig({ ...productionEnv(), ...extra }).endpoints.auditKeys as { endpoint?: string })
        .endpoint;

    expect(endpointOf({ AWS_ENDPOINT_URL: "http://127.0.0.1:1" })).toBe(kmsUrl);
    expect(
      endpointOf({ AWS_ENDPOINT_URL_KMS: undefined, AWS_ENDPOINT_URL: "http://127.0.0.1:1" }),
    ).toBe("http://127.0.0.1:1");
    expect(endpointOf({ AWS_ENDPOINT_URL_KMS: undefined })).toBeUndefined();
  });

  it("when KMS refuses, fails at once with an error naming the key", async () => {
    const refusing = new KmsStandIn({ region: REGION, credentials, keys: {} });
    refusing.refuse(KEY_ARN);
    const url = await refusing.start();
    try {
      const attempt = resolveAuditKeys(loadConfig(productionEnv({ AWS_ENDPOINT_URL_KMS: url })), {
        credentials: credentialProvider,
        initialDelayMs: 10,
      });

      await expect(attempt).rejects.toThrow(AuditKeyDerivationError);
      await expect(attempt).rejects.toThrow(
        `cannot derive the audit key from KMS key ${KEY_ARN}: KMS refused GenerateMac (KMS answered 400 AccessDeniedException: not authorized to perform kms:GenerateMac on ${KEY_ARN})`,
      );
      expect(refusing.requests).toHaveLength(1);
    } finally {
      await refusing.stop();
    }
  });

  it("retries while KMS fails on its side or throttles, then derives the key", async () => {
    kms.failNext(2, 500, "KMSInternalException");

    const material = await derive();

    expect(kms.requests).toHaveLength(3);
    expect(bytes(material.current)).toEqual(kms.mac(KEY_ARN, AUDIT_KEY_CONTEXT));
  });

  it("when KMS cannot be reached, fails after the retries, naming the key and the endpoint", async () => {
    const closed = await closedPort();
    const started = Date.now();

    const attempt = resolveAuditKeys(
      loadConfig(productionEnv({ AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${closed}` })),
      { credentials: credentialProvider, attempts: 3, initialDelayMs: 20 },
    );

    await expect(attempt).rejects.toThrow(
      new RegExp(
        `^cannot derive the audit key from KMS key ${KEY_ARN}: KMS at http://127\\.0\\.0\\.1:${closed} did not answer after 3 attempts \\(cannot reach http://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`,
      ),
    );
    // Backoff 20 + 40 ms between the three attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });

  it("when throttled past the attempts, fails naming the key", async () => {
    kms.failNext(3, 400, "ThrottlingException");

    const attempt = resolveAuditKeys(loadConfig(productionEnv()), {
      credentials: credentialProvider,
      attempts: 3,
      initialDelayMs: 10,
    });

    await expect(attempt).rejects.toThrow(
      `cannot derive the audit key from KMS key ${KEY_ARN}: KMS at ${kmsUrl} did not answer after 3 attempts (KMS answered 400 ThrottlingException: try again)`,
    );
    expect(kms.requests).toHaveLength(3);
  });
});

describe("the KMS audit key's environment", () => {
  it("lets production run with AUDIT_HMAC_KMS_KEY_ID instead of AUDIT_HMAC_KEY", () => {
    expect(loadConfig(productionEnv()).endpoints.auditKeys).toEqual({
      kmsKeyId: KEY_ARN,
      previousKmsKeyIds: [],
      previous: [],
      region: REGION,
      endpoint: kmsUrl,
    });
  });

  it.each([
    [
      "fails when both AUDIT_HMAC_KEY and AUDIT_HMAC_KMS_KEY_ID are set",
      { AUDIT_HMAC_KEY: "k".repeat(32) },
      "env.AUDIT_HMAC_KMS_KEY_ID: must not be set together with AUDIT_HMAC_KEY (one current audit key: given, or derived through KMS)",
    ],
    [
      "fails without AWS_REGION",
      { AWS_REGION: undefined },
      "env.AWS_REGION: must be set when AUDIT_HMAC_KMS_KEY_ID is set (KMS requests are signed for a region), got nothing",
    ],
    [
      "fails when the key's ARN names another region",
      { AWS_REGION: "eu-central-1" },
      `env.AUDIT_HMAC_KMS_KEY_ID: names a key in ${REGION}, but AWS_REGION is eu-central-1 (KMS keys are regional), got "${KEY_ARN}"`,
    ],
    [
      "fails when the key id is not one KMS accepts",
      { AUDIT_HMAC_KMS_KEY_ID: "my key" },
      'env.AUDIT_HMAC_KMS_KEY_ID: must be a KMS key id, key ARN, alias name (alias/...) or alias ARN, got "my key"',
    ],
    [
      "fails when earlier KMS keys are named without a current one",
      {
        AUDIT_HMAC_KMS_KEY_ID: undefined,
        AUDIT_HMAC_KEY: "k".repeat(32),
        AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS: OLD_KEY_ARN,
      },
      "env.AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS: needs AUDIT_HMAC_KMS_KEY_ID (earlier KMS keys are for after a rotation to a new one)",
    ],
  ])("%s", (_name, override, message) => {
    const environment = { ...productionEnv(), ...override };
    let error: unknown;
    try {
      loadConfig(environment);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      message,
    ]);
  });
});

describe("checkpoints under the derived key", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await env.startServer({
      settings: { governance: { audit: { checkpointIntervalMs: 50 } } },
      endpoints: { auditKeys: await derive({ AUDIT_HMAC_KMS_KEY_ID: OLD_KEY_ARN }) },
    });
  });

  /** A tenant whose chain has a signed checkpoint at its head. */
  async function tenantWithCheckpoint() {
    const t = await env.createTenant();
    const auditor = await t.key("auditor");
    await server.get("/v1/search?q=report", auditor);
    await eventually(async () => {
      const { rows } = await owner.query(
        `SELECT 1 FROM search.audit_checkpoints c JOIN search.audit_heads h USING (tenant_id, seq)
         WHERE tenant_id = $1`,
        [t.tenantId],
      );
      return rows.length === 1;
    });
    return { ...t, auditor };
  }

  it("signs checkpoints that verify", async () => {
    const t = await tenantWithCheckpoint();

    const res = await server.get("/v1/audit/verify", t.auditor);

    expect(res.status).toBe(200);
    expect(res.body.status).toBe("intact");
    expect(res.body.checkpoints.unverifiable).toBe(0);
    expect(res.body.checkpoints.verified).toBeGreaterThanOrEqual(1);
  });

  describe("after a rotation, audit-verify (admin CLI, the default credential chain)", () => {
    const saved = { ...process.env };
    beforeAll(() => {
      // The SDK's default chain reads these first (in the cluster: Pod Identity's instead).
      process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
      process.env.AWS_SESSION_TOKEN = credentials.sessionToken;
    });
    afterAll(() => {
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    });

    function auditVerify(tenantId: string, extra: Record<string, string>) {
      return env.admin(["audit-verify", "--tenant", tenantId], { env: productionEnv(extra) });
    }

    it("verifies the old checkpoints with the previous KMS key", async () => {
      const t = await tenantWithCheckpoint();

      const res = await auditVerify(t.tenantId, { AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS: OLD_KEY_ARN });

      expect(kms.problems).toEqual([]);
      expect(res).toMatchObject({ code: 0, stderr: "" });
      const verification = JSON.parse(res.stdout);
      expect(verification.status).toBe("intact");
      expect(verification.checkpoints.unverifiable).toBe(0);
      expect(verification.checkpoints.verified).toBeGreaterThanOrEqual(1);
    });

    it("cannot vouch for them without it", async () => {
      const t = await tenantWithCheckpoint();

      const res = await auditVerify(t.tenantId, {});

      expect(res.code).toBe(0);
      const verification = JSON.parse(res.stdout);
      expect(verification.checkpoints.verified).toBe(0);
      expect(verification.checkpoints.unverifiable).toBeGreaterThanOrEqual(1);
    });

    it("exits 1 naming the key when KMS refuses it", async () => {
      const t = await tenantWithCheckpoint();
      kms.refuse(OLD_ALIAS);

      const res = await auditVerify(t.tenantId, { AUDIT_HMAC_KMS_KEY_ID: OLD_ALIAS });

      expect(res.code).toBe(1);
      expect(res.stdout).toBe("");
      expect(res.stderr).toBe(
        `audit-verify failed: cannot derive the audit key from KMS key ${OLD_ALIAS}: KMS refused GenerateMac (KMS answered 400 AccessDeniedException: not authorized to perform kms:GenerateMac on ${OLD_ALIAS})`,
      );
    });
  });
});

describe("audit-maintenance", () => {
  it("runs in production with no audit key at all: it neither signs nor verifies", async () => {
    const { code, stdout, stderr } = await env.admin(["audit-maintenance"], {
      env: { NODE_ENV: "production" },
    });

    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      created: expect.any(Array),
      dropped: [],
      retentionInDays: 730,
    });
    expect(kms.requests).toHaveLength(0);
  });
});

/** A port on 127.0.0.1 where nothing listens (bound, then released). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
