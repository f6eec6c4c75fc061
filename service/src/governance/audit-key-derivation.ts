/**
 * The audit trail's HMAC key, derived from a KMS HMAC key instead of kept as a secret.
 *
 * With AUDIT_HMAC_KMS_KEY_ID set, the service asks KMS once at start-up for
 * `GenerateMac(KeyId, Message = AUDIT_KEY_CONTEXT, HMAC_SHA_256)` and keys its query digests,
 * subject digests and checkpoints with the 32 bytes KMS returns. KMS's key material never
 * leaves KMS; the derived key exists only in the process's memory (a `KeyObject`, which prints
 * as `SecretKeyObject {}`), is never logged, and is the same in every replica and every later
 * start, since an HMAC of a fixed message under the same key does not change. Whoever may call
 * `kms:GenerateMac` on that key can derive it too: that permission is the secret's boundary
 * (the service's role has it on this one key; the table owner has no AWS identity at all).
 *
 * AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS names the keys used before a rotation: their derived keys
 * verify old checkpoints and sign nothing.
 *
 * KMS unreachable, timing out, failing on its side or throttling: retried with backoff, a few
 * times. KMS refusing (access denied, no such key, disabled, not an HMAC key): at once. Either
 * way the start-up fails with a `AuditKeyDerivationError` naming the KMS key.
 */
import { createSecretKey, type KeyObject } from "node:crypto";
import { defaultCredentialProvider, type CredentialProvider } from "../adapters/aws/credentials";
import { generateMac, kmsEndpoint, KmsRequestError } from "../adapters/aws/kms";
import { deepFreeze } from "../config/settings";
import {
  isKmsKeySource,
  type AuditKeyMaterial,
  type AuditKeySource,
  type AuditKmsKeys,
  type LoadedConfig,
} from "../config/load";

/**
 * The message KMS MACs. Versioned: a new version derives new audit keys from the same KMS keys
 * (the old version's would then have to be derived for verification too). Never change it in
 * place: every checkpoint signed so far would stop verifying.
 */
export const AUDIT_KEY_CONTEXT = "search-platform/audit-trail-hmac-key/v1";

/** The length of a derived key: HMAC-SHA256's output, the key size HMAC-SHA256 wants. */
const DERIVED_KEY_BYTES = 32;

export interface AuditKeyDerivationOptions {
  /** @default - the default credential chain (EKS Pod Identity in the cluster) */
  readonly credentials?: CredentialProvider;
  /**
   * Attempts per key while KMS is unreachable, times out, fails or throttles.
   * @default 4
   */
  readonly attempts?: number;
  /**
   * Wait before the second attempt, doubled before each further one (500 ms: 0.5 + 1 + 2 s).
   * @default 500
   */
  readonly initialDelayMs?: number;
  /** One request's deadline. @default 5000 */
  readonly timeoutMs?: number;
}

/** The audit keys could not be derived: the process must not start. */
export class AuditKeyDerivationError extends Error {
  constructor(
    message: string,
    /** The KMS key (id, ARN or alias) as configured. */
    readonly kmsKeyId: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AuditKeyDerivationError";
  }
}

/**
 * The config with its audit keys resolved: returned as is when they were given
 * (AUDIT_HMAC_KEY or the development key), derived through KMS otherwise.
 * @throws AuditKeyDerivationError
 */
export async function resolveAuditKeys(
  config: LoadedConfig,
  options: AuditKeyDerivationOptions = {},
): Promise<LoadedConfig> {
  const source = config.endpoints.auditKeys;
  if (!isKmsKeySource(source)) return config;
  const [current, ...previous] = await Promise.all(
    [source.kmsKeyId, ...source.previousKmsKeyIds].map((keyId) =>
      deriveAuditKey(keyId, source, options),
    ),
  );
  const material: AuditKeyMaterial = {
    current,
    previous: [...previous, ...source.previous],
    development: false,
  };
  return deepFreeze({ ...config, endpoints: { ...config.endpoints, auditKeys: material } });
}

/**
 * The audit keys themselves.
 * @throws Error when they are still to be derived through KMS (`resolveAuditKeys` first).
 */
export function auditKeyMaterial(source: AuditKeySource): AuditKeyMaterial {
  if (isKmsKeySource(source)) {
    throw new Error(
      `the audit key is to be derived from KMS key ${source.kmsKeyId} first (resolveAuditKeys)`,
    );
  }
  return source;
}

/**
 * `GenerateMac(keyId, AUDIT_KEY_CONTEXT, HMAC_SHA_256)`, retried while KMS cannot answer.
 * @throws AuditKeyDerivationError
 */
export async function deriveAuditKey(
  keyId: string,
  kms: Pick<AuditKmsKeys, "region" | "endpoint">,
  options: AuditKeyDerivationOptions = {},
): Promise<KeyObject> {
  const attempts = options.attempts ?? 4;
  const initialDelayMs = options.initialDelayMs ?? 500;
  const endpoint = kms.endpoint ?? kmsEndpoint(kms.region);
  const credentials = options.credentials ?? defaultCredentialProvider();
  for (let attempt = 1; ; attempt++) {
    try {
      const mac = await generateMac(
        { keyId, message: Buffer.from(AUDIT_KEY_CONTEXT, "utf8"), algorithm: "HMAC_SHA_256" },
        { region: kms.region, endpoint, credentials, timeoutMs: options.timeoutMs },
      );
      if (mac.length !== DERIVED_KEY_BYTES) {
        throw new AuditKeyDerivationError(
          `cannot derive the audit key from KMS key ${keyId}: GenerateMac returned ${mac.length} bytes, not ${DERIVED_KEY_BYTES}`,
          keyId,
        );
      }
      const key = createSecretKey(mac);
      mac.fill(0);
      return key;
    } catch (err) {
      if (err instanceof AuditKeyDerivationError) throw err;
      const retryable = !(err instanceof KmsRequestError) || err.retryable;
      if (!retryable || attempt >= attempts) {
        const what = retryable
          ? `KMS at ${endpoint} did not answer after ${attempt} attempt${attempt === 1 ? "" : "s"}`
          : "KMS refused GenerateMac";
        throw new AuditKeyDerivationError(
          `cannot derive the audit key from KMS key ${keyId}: ${what} (${(err as Error).message})`,
          keyId,
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, initialDelayMs * 2 ** (attempt - 1)));
    }
  }
}
