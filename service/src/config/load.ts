/**
 * Loads what the service runs with: the `ServiceSettings` JSON (SERVICE_CONFIG) and the
 * endpoints and secrets that only the environment may carry (libpq's PG* variables, REDIS_URL).
 * Both are validated once, at start-up, every problem reported at once; the result is frozen.
 *
 * Not exported from the package's `./settings` entry: the platform validates settings, it does
 * not read this process's environment.
 */
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { describeIssues, type ConfigIssue } from "./issues";
import {
  deepFreeze,
  InvalidSettingsError,
  parseServiceSettings,
  type ServiceSettings,
} from "./settings";

const portSchema = z.coerce.number().int().min(0).max(65535);

/** What KMS accepts as a KeyId: a key id, a key ARN, an alias name or an alias ARN. */
const kmsKeyIdSchema = z
  .string()
  .regex(
    /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_+=,.@-]+|alias\/[A-Za-z0-9/_-]+|(mrk-)?[0-9a-f-]{32,36})$/,
    "must be a KMS key id, key ARN, alias name (alias/...) or alias ARN",
  );

const splitList = (value: string): string[] =>
  value
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);

/** The environment variables the service reads; names are libpq's where libpq has one. */
const environmentSchema = z.object({
  PORT: portSchema.optional(),
  SERVICE_CONFIG: z.string().min(1).optional(),
  PGHOST: z.string().min(1).default("127.0.0.1"),
  PGPORT: portSchema.default(5432),
  PGUSER: z.string().min(1).optional(),
  PGPASSWORD: z.string().optional(),
  PGDATABASE: z.string().min(1).default("search"),
  PGREADHOST: z.string().min(1).optional(),
  PGREADPORT: portSchema.optional(),
  /** CA bundle for PostgreSQL TLS (Aurora's certificates are not in Node's default store). */
  PGSSLROOTCERT: z.string().min(1).optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must start with redis:// or rediss://")
    .pipe(z.url())
    .default("redis://127.0.0.1:6379"),
  AWS_REGION: z.string().min(1).optional(),
  /**
   * The audit trail's HMAC key (query and subject digests, signed checkpoints): a secret, from a
   * secret store. Required in production; elsewhere a fixed development key stands in.
   */
  AUDIT_HMAC_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  /** Earlier audit keys, comma-separated: still accepted when verifying the trail. */
  AUDIT_HMAC_PREVIOUS_KEYS: z.string().optional(),
  /**
   * A KMS HMAC key (HMAC_256) the audit key is derived from at start-up, instead of
   * AUDIT_HMAC_KEY: no secret in the environment at all (governance/audit-key-derivation.ts).
   */
  AUDIT_HMAC_KMS_KEY_ID: kmsKeyIdSchema.optional(),
  /** Earlier KMS HMAC keys, comma-separated: their derived keys are accepted when verifying. */
  AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS: z
    .string()
    .transform((ids) => splitList(ids))
    .pipe(z.array(kmsKeyIdSchema))
    .optional(),
  /** The AWS SDKs' endpoint overrides, honoured for KMS: a VPC endpoint, a local stand-in. */
  AWS_ENDPOINT_URL_KMS: z.url().optional(),
  AWS_ENDPOINT_URL: z.url().optional(),
  NODE_ENV: z.string().optional(),
});

/**
 * Stands in for AUDIT_HMAC_KEY outside production only: digests and checkpoints made with it
 * prove nothing, since everyone can read it here.
 */
export const DEVELOPMENT_AUDIT_KEY = "development-only-audit-key-never-use-in-production";

/** One PostgreSQL endpoint (writer or reader). `password` is a secret: never log it. */
export interface PostgresEndpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly database: string;
}

/**
 * Where the audit keys come from: the keys themselves (AUDIT_HMAC_KEY, or the development
 * stand-in), or the KMS HMAC keys they are derived from at start-up (`resolveAuditKeys`).
 */
export type AuditKeySource = AuditKeyMaterial | AuditKmsKeys;

/** AUDIT_HMAC_KMS_KEY_ID and what goes with it: nothing secret. */
export interface AuditKmsKeys {
  /** AUDIT_HMAC_KMS_KEY_ID: the current audit key is derived from this KMS HMAC key. */
  readonly kmsKeyId: string;
  /** AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS: earlier KMS keys, for verification after a rotation. */
  readonly previousKmsKeyIds: readonly string[];
  /** AUDIT_HMAC_PREVIOUS_KEYS: earlier keys given as such (from before the move to KMS). */
  readonly previous: readonly string[];
  /** AWS_REGION: KMS requests are signed for it. */
  readonly region: string;
  /** AWS_ENDPOINT_URL_KMS, else AWS_ENDPOINT_URL, else KMS's regional endpoint. */
  readonly endpoint: string | undefined;
}

/** Whether the audit keys must still be derived through KMS. */
export function isKmsKeySource(source: AuditKeySource): source is AuditKmsKeys {
  return "kmsKeyId" in source;
}

export interface Endpoints {
  readonly port: number;
  readonly postgresWriter: PostgresEndpoint;
  /** PGREADHOST / PGREADPORT; the writer's when unset (locally, one server). */
  readonly postgresReader: PostgresEndpoint;
  readonly sslRootCertPath: string | undefined;
  /** Secret: may carry a password. Never log it. */
  readonly redisUrl: string;
  readonly awsRegion: string | undefined;
  /**
   * The audit trail's HMAC keys (secret: never log them), or the KMS keys they are derived
   * from until `resolveAuditKeys` has run.
   */
  readonly auditKeys: AuditKeySource;
}

/**
 * The audit trail's HMAC keys: AUDIT_HMAC_KEY's text, or a key derived through KMS (a
 * `KeyObject`, which prints as `SecretKeyObject {}`, never its bytes).
 */
export interface AuditKeyMaterial {
  readonly current: string | KeyObject;
  /** Accepted when verifying only. */
  readonly previous: readonly (string | KeyObject)[];
  /** The development stand-in is in use (no AUDIT_HMAC_KEY). */
  readonly development: boolean;
}

export interface LoadedConfig {
  readonly settings: ServiceSettings;
  readonly endpoints: Endpoints;
}

export interface LoadOptions {
  /**
   * PGUSER when the environment has none. The server connects as the application role; the
   * migration runner and the admin CLI as the database's owner.
   * @default "search_app"
   */
  readonly defaultUser?: string;
  /**
   * The dependencies the command connects to: the environment they need is checked only for
   * them (AWS_REGION for IAM authentication, the password in REDIS_URL). The migration Job, say,
   * never talks to Redis.
   * @default { postgres: true, redis: true }
   */
  readonly uses?: { readonly postgres: boolean; readonly redis: boolean };
  /**
   * The command signs or verifies audit records, so production needs AUDIT_HMAC_KEY or
   * AUDIT_HMAC_KMS_KEY_ID (the migration Job and audit-maintenance do not). @default true
   */
  readonly usesAuditKey?: boolean;
}

/**
 * Reads SERVICE_CONFIG (absent: every default) and the environment.
 * @throws InvalidSettingsError naming every invalid value (`env.PGPORT`, `server.port`, ...).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadOptions = {},
): LoadedConfig {
  const envResult = environmentSchema.safeParse(env);
  const issues: ConfigIssue[] = envResult.success
    ? []
    : describeIssues(envResult.error.issues, env).map((i) => ({ ...i, path: `env.${i.path}` }));

  const file = env.SERVICE_CONFIG;
  let raw: unknown = {};
  if (file) {
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new InvalidSettingsError(file, [
        ...issues,
        { path: "(file)", message: `cannot be read as JSON: ${(err as Error).message}` },
      ]);
    }
  }
  let settings: ServiceSettings | undefined;
  try {
    settings = parseServiceSettings(raw, file ?? "defaults");
  } catch (err) {
    if (!(err instanceof InvalidSettingsError)) throw err;
    issues.push(...err.issues);
  }
  if (settings && envResult.success) {
    issues.push(
      ...environmentIssues(
        settings,
        envResult.data,
        options.uses ?? { postgres: true, redis: true },
      ),
    );
  }
  if (envResult.success && (options.usesAuditKey ?? true)) {
    // AWS_REGION may already be reported for IAM authentication: once is enough.
    issues.push(
      ...auditKeyIssues(envResult.data).filter((i) => !issues.some((o) => o.path === i.path)),
    );
  }
  if (issues.length > 0 || !settings || !envResult.success) {
    throw new InvalidSettingsError(
      file ? `${file} and the environment` : "the environment",
      issues,
    );
  }

  const e = envResult.data;
  const writer: PostgresEndpoint = {
    host: e.PGHOST,
    port: e.PGPORT,
    user: e.PGUSER ?? options.defaultUser ?? "search_app",
    password: e.PGPASSWORD,
    database: e.PGDATABASE,
  };
  return deepFreeze({
    settings,
    endpoints: {
      port: e.PORT ?? settings.server.port,
      postgresWriter: writer,
      postgresReader: {
        ...writer,
        host: e.PGREADHOST ?? writer.host,
        port: e.PGREADPORT ?? writer.port,
      },
      sslRootCertPath: e.PGSSLROOTCERT,
      redisUrl: e.REDIS_URL,
      awsRegion: e.AWS_REGION,
      auditKeys: auditKeySource(e),
    },
  });
}

/**
 * The KMS keys when AUDIT_HMAC_KMS_KEY_ID is set (with AWS_REGION, which a command that uses the
 * key is refused without), else AUDIT_HMAC_KEY or the development stand-in.
 */
function auditKeySource(e: z.output<typeof environmentSchema>): AuditKeySource {
  const previous = splitList(e.AUDIT_HMAC_PREVIOUS_KEYS ?? "");
  if (e.AUDIT_HMAC_KMS_KEY_ID !== undefined && e.AWS_REGION !== undefined) {
    return {
      kmsKeyId: e.AUDIT_HMAC_KMS_KEY_ID,
      previousKmsKeyIds: e.AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS ?? [],
      previous,
      region: e.AWS_REGION,
      endpoint: e.AWS_ENDPOINT_URL_KMS ?? e.AWS_ENDPOINT_URL,
    };
  }
  return {
    current: e.AUDIT_HMAC_KEY ?? DEVELOPMENT_AUDIT_KEY,
    previous,
    development: e.AUDIT_HMAC_KEY === undefined,
  };
}

/** The audit key's variables, for a command that signs or verifies audit records. */
function auditKeyIssues(env: z.output<typeof environmentSchema>): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const kmsKeyId = env.AUDIT_HMAC_KMS_KEY_ID;
  if (env.NODE_ENV === "production" && env.AUDIT_HMAC_KEY === undefined && !kmsKeyId) {
    out.push({
      path: "env.AUDIT_HMAC_KEY",
      message:
        "must be set in production, or AUDIT_HMAC_KMS_KEY_ID to derive it through KMS (the audit trail's digests and checkpoints are keyed with it), got neither",
    });
  }
  if (kmsKeyId !== undefined && env.AUDIT_HMAC_KEY !== undefined) {
    out.push({
      path: "env.AUDIT_HMAC_KMS_KEY_ID",
      message:
        "must not be set together with AUDIT_HMAC_KEY (one current audit key: given, or derived through KMS)",
    });
  }
  if (env.AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS?.length && kmsKeyId === undefined) {
    out.push({
      path: "env.AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS",
      message:
        "needs AUDIT_HMAC_KMS_KEY_ID (earlier KMS keys are for after a rotation to a new one)",
    });
  }
  if (kmsKeyId !== undefined) {
    const arnRegion = /^arn:[^:]+:kms:([^:]+):/.exec(kmsKeyId)?.[1];
    if (env.AWS_REGION === undefined) {
      out.push({
        path: "env.AWS_REGION",
        message:
          "must be set when AUDIT_HMAC_KMS_KEY_ID is set (KMS requests are signed for a region), got nothing",
      });
    } else if (arnRegion !== undefined && arnRegion !== env.AWS_REGION) {
      out.push({
        path: "env.AUDIT_HMAC_KMS_KEY_ID",
        message: `names a key in ${arnRegion}, but AWS_REGION is ${env.AWS_REGION} (KMS keys are regional), got "${kmsKeyId}"`,
      });
    }
  }
  return out;
}

/**
 * Settings and environment that cannot work together, for the dependencies the command uses.
 * (Rules on the settings alone, such as IAM needing TLS, are the schema's.)
 */
function environmentIssues(
  s: ServiceSettings,
  env: z.output<typeof environmentSchema>,
  uses: { readonly postgres: boolean; readonly redis: boolean },
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const iamFor = [
    ...(uses.postgres && s.postgres.auth === "iam" ? ["postgres.auth"] : []),
    ...(uses.redis && s.redis.auth === "iam" ? ["redis.auth"] : []),
  ];
  if (iamFor.length > 0 && env.AWS_REGION === undefined) {
    out.push({
      path: "env.AWS_REGION",
      message: `must be set when ${iamFor.join(" or ")} is "iam" (IAM auth tokens are signed for a region), got nothing`,
    });
  }
  if (uses.postgres && s.postgres.auth === "iam" && env.PGPASSWORD !== undefined) {
    out.push({
      path: "env.PGPASSWORD",
      message: 'must not be set when postgres.auth is "iam" (the password is a signed token)',
    });
  }
  if (uses.redis) {
    const url = new URL(env.REDIS_URL);
    if (s.redis.auth === "iam" && (url.username || url.password)) {
      out.push({
        path: "env.REDIS_URL",
        message: `must carry no user or password when redis.auth is "iam" (the user is redis.user, the password a signed token)`,
      });
    }
    if (s.redis.auth === "password" && !url.password) {
      out.push({
        path: "env.REDIS_URL",
        message:
          'must carry the password (redis://user:password@host:port) when redis.auth is "password"',
      });
    }
  }
  return out;
}
