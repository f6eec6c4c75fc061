/**
 * Loads what the service runs with: the `ServiceSettings` JSON (SERVICE_CONFIG) and the
 * endpoints and secrets that only the environment may carry (libpq's PG* variables, REDIS_URL).
 * Both are validated once, at start-up, every problem reported at once; the result is frozen.
 *
 * Not exported from the package's `./settings` entry: the platform validates settings, it does
 * not read this process's environment.
 */
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

export interface Endpoints {
  readonly port: number;
  readonly postgresWriter: PostgresEndpoint;
  /** PGREADHOST / PGREADPORT; the writer's when unset (locally, one server). */
  readonly postgresReader: PostgresEndpoint;
  readonly sslRootCertPath: string | undefined;
  /** Secret: may carry a password. Never log it. */
  readonly redisUrl: string;
  readonly awsRegion: string | undefined;
  /** Secret: the audit trail's HMAC keys (see AUDIT_HMAC_KEY). Never log them. */
  readonly auditKeys: AuditKeyMaterial;
}

export interface AuditKeyMaterial {
  readonly current: string;
  /** Accepted when verifying only. */
  readonly previous: readonly string[];
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
   * The command signs or verifies audit records, so production needs AUDIT_HMAC_KEY (the
   * migration Job does not). @default true
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
  if (
    envResult.success &&
    envResult.data.NODE_ENV === "production" &&
    envResult.data.AUDIT_HMAC_KEY === undefined &&
    (options.usesAuditKey ?? true)
  ) {
    issues.push({
      path: "env.AUDIT_HMAC_KEY",
      message:
        "must be set in production (the audit trail's digests and checkpoints are keyed with it), got nothing",
    });
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
      auditKeys: {
        current: e.AUDIT_HMAC_KEY ?? DEVELOPMENT_AUDIT_KEY,
        previous: (e.AUDIT_HMAC_PREVIOUS_KEYS ?? "")
          .split(",")
          .map((k) => k.trim())
          .filter((k) => k.length > 0),
        development: e.AUDIT_HMAC_KEY === undefined,
      },
    },
  });
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
