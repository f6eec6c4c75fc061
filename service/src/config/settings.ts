/**
 * `ServiceSettings`: every knob of the search service that is not an endpoint or a secret.
 *
 * This schema is the single source of the settings' type. The service validates its
 * SERVICE_CONFIG file against it at start-up; the platform imports it to validate the settings
 * it derives from `PlatformConfig` before it renders them into the ConfigMap. Defaults make a
 * local run work with no file at all: `serviceSettingsSchema.parse({})` is a complete,
 * development-sized configuration.
 *
 * Endpoints and secrets (PGHOST, PGREADHOST, PGPASSWORD, REDIS_URL, ...) never live here: they
 * come from the environment (see `src/config/load.ts`).
 */
import { z } from "zod";
import {
  CLASSIFICATIONS,
  COMPLIANCE_PRESET_NAMES,
  COMPLIANCE_PRESETS,
  type Classification,
  type CompliancePresetName,
} from "./compliance";
import { describeIssues, type ConfigIssue } from "./issues";
import { PER_IP_FALLBACK, RATE_LIMITED_OPERATIONS, SLA_TIERS, SLA_TIER_NAMES } from "./tiers";

const positiveInt = () => z.int().positive();
const nonNegativeInt = () => z.int().nonnegative();
const fraction = () => z.number().gt(0).lte(1);

/** Roles an API key can carry. What each may do is fixed in code (src/http/auth). */
export const ROLES = ["admin", "writer", "reader", "auditor"] as const;
export type Role = (typeof ROLES)[number];

/** Masking strategies; see REFERENCE.md "Masking conventions". */
export const MASK_STRATEGIES = ["ssn", "email", "phone", "card", "mrn", "redact"] as const;
export type MaskStrategy = (typeof MASK_STRATEGIES)[number];

// ---------------------------------------------------------------------------------------------
// Resilience
// ---------------------------------------------------------------------------------------------

export const breakerSettingsSchema = z.strictObject({
  /** Open when at least this fraction of the calls in the window failed. @default 0.5 */
  failureRateThreshold: fraction().default(0.5),
  /** A call slower than this counts as slow. @default 2000 */
  slowCallDurationMs: positiveInt().default(2000),
  /** Open when at least this fraction of the calls in the window were slow. @default 0.8 */
  slowCallRateThreshold: fraction().default(0.8),
  /** The sliding window the rates are measured over, in milliseconds. @default 30000 */
  windowMs: positiveInt().default(30_000),
  /** No decision is taken on fewer calls than this in the window. @default 20 */
  minimumCalls: positiveInt().default(20),
  /** Also open after this many consecutive failures, whatever the window says. @default 5 */
  consecutiveFailures: positiveInt().default(5),
  /** How long the breaker stays open before it lets probes through. @default 60000 */
  openStateMs: positiveInt().default(60_000),
  /** Probes allowed at once while half-open. @default 5 */
  halfOpenMaxProbes: positiveInt().default(5),
  /** Successful probes needed to close again. @default 3 */
  halfOpenSuccessesToClose: positiveInt().default(3),
});
export type BreakerSettings = z.infer<typeof breakerSettingsSchema>;

export const retrySettingsSchema = z.strictObject({
  /** Attempts in all, the first included; 1 disables retries. @default 3 */
  maxAttempts: positiveInt().max(10).default(3),
  /** Base of the exponential backoff (full jitter: a delay in [0, base × 2^n]). @default 100 */
  initialDelayMs: positiveInt().default(100),
  /** Cap on one backoff delay. @default 2000 */
  maxDelayMs: positiveInt().default(2000),
});
export type RetrySettings = z.infer<typeof retrySettingsSchema>;

export const bulkheadSettingsSchema = z.strictObject({
  /** Calls running at once. @default 50 */
  maxConcurrent: positiveInt().default(50),
  /** Calls waiting for a slot; past this a call fails fast with 503. @default 100 */
  maxQueue: nonNegativeInt().default(100),
});
export type BulkheadSettings = z.infer<typeof bulkheadSettingsSchema>;

export const dependencyPolicySchema = z.strictObject({
  /** Client-side deadline of one call, in milliseconds. */
  timeoutMs: positiveInt(),
  breaker: breakerSettingsSchema.prefault({}),
  retry: retrySettingsSchema.prefault({}),
  bulkhead: bulkheadSettingsSchema.prefault({}),
});
export type DependencyPolicy = z.infer<typeof dependencyPolicySchema>;

// ---------------------------------------------------------------------------------------------
// Governance
// ---------------------------------------------------------------------------------------------

export const maskingRuleSchema = z.strictObject({
  /** Structured field name the rule applies to (a key of a document's `fields`). */
  field: z.string().min(1).max(64),
  classification: z.enum(CLASSIFICATIONS),
  strategy: z.enum(MASK_STRATEGIES),
});
export type MaskingRule = z.infer<typeof maskingRuleSchema>;

/** The structured fields every deployment knows how to classify and mask. */
export const DEFAULT_MASKING_RULES: readonly MaskingRule[] = [
  { field: "ssn", classification: "pii", strategy: "ssn" },
  { field: "email", classification: "pii", strategy: "email" },
  { field: "phone", classification: "pii", strategy: "phone" },
  { field: "mrn", classification: "phi", strategy: "mrn" },
  { field: "diagnosis", classification: "phi", strategy: "redact" },
  { field: "cardNumber", classification: "pci", strategy: "card" },
];

/** Classifications each role sees unmasked (when the preset masks them at all). */
export const DEFAULT_ROLE_CLEARANCES: Readonly<Record<Role, readonly Classification[]>> = {
  admin: ["public", "internal", "confidential", "pii", "phi"],
  writer: ["public", "internal", "confidential", "pii"],
  reader: ["public", "internal"],
  auditor: ["public", "internal", "confidential"],
};

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function governanceDefaultsFor(preset: CompliancePresetName) {
  const p = COMPLIANCE_PRESETS[preset];
  return {
    compliancePreset: preset,
    maskedClassifications: [...p.maskedClassifications],
    audit: {
      retentionInDays: p.minAuditRetentionInDays,
      failClosed: p.auditFailClosed,
      hashQueries: p.hashQueriesInAudit,
    },
    erasure: { enabled: p.erasureEnabled },
  };
}

const governanceSchema = z
  .strictObject({
    /** The regime the deployment answers to; sets the floors checked below. @default "none" */
    compliancePreset: z.enum(COMPLIANCE_PRESET_NAMES).default("none"),
    /** Classifications masked for roles not cleared for them. @default from the preset */
    maskedClassifications: z.array(z.enum(CLASSIFICATIONS)).optional(),
    /** Classified structured fields and how they are masked. @default DEFAULT_MASKING_RULES */
    maskingRules: z.array(maskingRuleSchema).default(() => [...DEFAULT_MASKING_RULES]),
    /** Classifications each role may see unmasked. @default DEFAULT_ROLE_CLEARANCES */
    roleClearances: z
      .record(z.enum(ROLES), z.array(z.enum(CLASSIFICATIONS)))
      .default(() => structuredClone(DEFAULT_ROLE_CLEARANCES) as Record<Role, Classification[]>),
    audit: z
      .strictObject({
        /** Record every access. @default true */
        enabled: z.boolean().default(true),
        /** Days before an audit partition is dropped. @default the preset's minimum */
        retentionInDays: positiveInt().optional(),
        /** Refuse an access whose audit record cannot be written. @default from the preset */
        failClosed: z.boolean().optional(),
        /** Record a keyed hash of the query, not its text. @default from the preset */
        hashQueries: z.boolean().optional(),
        /** Group commit: records per batch. @default 200 */
        batchMaxSize: positiveInt().default(200),
        /** Group commit: longest a record waits for its batch, in milliseconds. @default 5 */
        batchMaxDelayMs: nonNegativeInt().default(5),
        /** Width of one time partition of the audit table. @default "month" */
        partitionInterval: z.enum(["day", "month"]).default("month"),
        /**
         * Partitions kept ready after the current one (the service creates them at start-up and
         * hourly; an insert with no partition for its time would fail). @default 2
         */
        partitionsAhead: z.int().min(1).max(366).default(2),
        /**
         * Not fail-closed: records waiting in memory for the audit store, at most. Past this the
         * oldest are dropped (counted in audit_records_total{result="dropped"}). @default 10000
         */
        spoolMaxRecords: positiveInt().default(10_000),
        /**
         * How often a replica signs the heads of the chains it extended into
         * search.audit_checkpoints (HMAC under AUDIT_HMAC_KEY). Records after the latest
         * checkpoint are protected by the chain and the stdout audit channel only. @default 60000
         */
        checkpointIntervalMs: positiveInt().default(60_000),
      })
      .prefault({}),
    erasure: z
      .strictObject({
        /** Serve `DELETE /v1/subjects/:id`. @default from the preset */
        enabled: z.boolean().optional(),
      })
      .prefault({}),
    /** Working hours for the compliance report's after-hours count. */
    businessHours: z
      .strictObject({
        /** An IANA time zone. @default "UTC" */
        timeZone: z
          .string()
          .min(1)
          .refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin")
          .default("UTC"),
        startHour: z.int().min(0).max(23).default(8),
        endHour: z.int().min(1).max(24).default(18),
        /** Working days, ISO numbering (1 Monday … 7 Sunday). @default Monday to Friday */
        weekdays: z
          .array(z.int().min(1).max(7))
          .min(1)
          .default(() => [1, 2, 3, 4, 5]),
      })
      .prefault({}),
  })
  .transform((g, ctx) => {
    const preset = COMPLIANCE_PRESETS[g.compliancePreset];
    const resolved = {
      ...g,
      maskedClassifications: g.maskedClassifications ?? [...preset.maskedClassifications],
      audit: {
        ...g.audit,
        retentionInDays: g.audit.retentionInDays ?? preset.minAuditRetentionInDays,
        failClosed: g.audit.failClosed ?? preset.auditFailClosed,
        hashQueries: g.audit.hashQueries ?? preset.hashQueriesInAudit,
      },
      erasure: { enabled: g.erasure.enabled ?? preset.erasureEnabled },
    };
    if (resolved.audit.retentionInDays < preset.minAuditRetentionInDays) {
      ctx.addIssue({
        code: "custom",
        path: ["audit", "retentionInDays"],
        message: `must be at least ${preset.minAuditRetentionInDays} days under the "${g.compliancePreset}" preset, got ${resolved.audit.retentionInDays}`,
      });
    }
    if (preset.auditFailClosed && !resolved.audit.failClosed) {
      ctx.addIssue({
        code: "custom",
        path: ["audit", "failClosed"],
        message: `must be true under the "${g.compliancePreset}" preset`,
      });
    }
    if (preset.auditFailClosed && !resolved.audit.enabled) {
      ctx.addIssue({
        code: "custom",
        path: ["audit", "enabled"],
        message: `must be true under the "${g.compliancePreset}" preset`,
      });
    }
    if (resolved.businessHours.endHour <= resolved.businessHours.startHour) {
      ctx.addIssue({
        code: "custom",
        path: ["businessHours", "endHour"],
        message: `must be after businessHours.startHour (${resolved.businessHours.startHour}), got ${resolved.businessHours.endHour}`,
      });
    }
    for (const c of preset.maskedClassifications) {
      if (!resolved.maskedClassifications.includes(c)) {
        ctx.addIssue({
          code: "custom",
          path: ["maskedClassifications"],
          message: `must include "${c}" under the "${g.compliancePreset}" preset`,
        });
      }
    }
    return resolved;
  });

// ---------------------------------------------------------------------------------------------
// The whole
// ---------------------------------------------------------------------------------------------

const tierLimitsSchema = z.strictObject(
  Object.fromEntries(RATE_LIMITED_OPERATIONS.map((op) => [op, positiveInt()])) as Record<
    (typeof RATE_LIMITED_OPERATIONS)[number],
    ReturnType<typeof positiveInt>
  >,
);

const defaultTierLimits = () =>
  Object.fromEntries(
    SLA_TIER_NAMES.map((t) => [t, { ...SLA_TIERS[t].requestsPerMinute }]),
  ) as Record<
    (typeof SLA_TIER_NAMES)[number],
    Record<(typeof RATE_LIMITED_OPERATIONS)[number], number>
  >;

export const serviceSettingsSchema = z
  .strictObject({
    /** Names the deployment in logs and metrics labels. @default "local" */
    environment: z.string().min(1).max(32).default("local"),

    server: z
      .strictObject({
        /** @default 8080 (PORT in the environment wins) */
        port: z.int().min(0).max(65535).default(8080),
        /**
         * Above the load balancer's idle timeout (ALB: 60 s), or the balancer reuses a socket
         * the service has just closed and answers 502. @default 65000
         */
        keepAliveTimeoutMs: positiveInt().default(65_000),
        /** Must exceed keepAliveTimeoutMs (Node's own rule). @default 66000 */
        headersTimeoutMs: positiveInt().default(66_000),
        /** Whole-request deadline for a client request. @default 30000 */
        requestTimeoutMs: positiveInt().default(30_000),
        /** Longest a SIGTERM drain waits for in-flight requests. @default 20000 */
        shutdownGraceMs: positiveInt().default(20_000),
        /**
         * After SIGTERM, keep accepting requests this long while readiness already fails, so the
         * load balancer stops routing before the listener closes (instead of a preStop sleep).
         * Counted within shutdownGraceMs. @default 0
         */
        drainDelayMs: nonNegativeInt().default(0),
        /** Proxy hops in front of the service whose X-Forwarded-For is trusted. @default 1 */
        trustProxyHops: nonNegativeInt().default(1),
      })
      .prefault({}),

    postgres: z
      .strictObject({
        /** Connections per writer pool. @default 10 */
        writerPoolMax: positiveInt().default(10),
        /** Connections per reader pool. @default 10 */
        readerPoolMax: positiveInt().default(10),
        /** Idle connections are closed after this. @default 30000 */
        idleTimeoutMs: positiveInt().default(30_000),
        /** Waiting for a TCP connection and the handshake. @default 5000 */
        connectionTimeoutMs: positiveInt().default(5_000),
        /** Server-side deadline of every statement (set per transaction). @default 5000 */
        statementTimeoutMs: positiveInt().max(30_000).default(5_000),
        /** TLS to PostgreSQL: "disable" locally, "verify-full" against Aurora. @default "disable" */
        sslMode: z.enum(["disable", "require", "verify-full"]).default("disable"),
        /** "password" reads PGPASSWORD; "iam" signs an RDS IAM auth token. @default "password" */
        auth: z.enum(["password", "iam"]).default("password"),
        /**
         * After a tenant writes, its reads go to the writer for this long (read-your-writes).
         * Must exceed the readers' replication lag: results read from a lagging reader would
         * otherwise be cached under the new cache generation. @default 5000
         */
        readYourWritesMs: positiveInt().max(600_000).default(5_000),
      })
      .prefault({}),

    auth: z
      .strictObject({
        /**
         * How long a replica trusts an API key it has validated without asking PostgreSQL
         * again. Revocation is pushed to every replica at once (Redis pub/sub); this is the
         * bound when that message cannot be delivered. @default 300 (REFERENCE: token validation)
         */
        keyCacheTtlSeconds: positiveInt().max(3_600).default(300),
        /** Validated keys kept per replica; the oldest is dropped beyond this. @default 10000 */
        keyCacheMaxEntries: positiveInt().default(10_000),
      })
      .prefault({}),

    redis: z
      .strictObject({
        /** TLS to Redis; on whenever ElastiCache transit encryption is. @default false */
        tls: z.boolean().default(false),
        /**
         * "none" locally; "password" uses the password in REDIS_URL; "iam" signs an ElastiCache
         * IAM auth token for `user` (no secret anywhere). @default "none"
         */
        auth: z.enum(["none", "password", "iam"]).default("none"),
        /**
         * The RBAC user to authenticate as with IAM; ElastiCache requires its user id to equal
         * its name. Required when `auth` is "iam".
         */
        user: z.string().min(1).optional(),
        /**
         * The ElastiCache replication group the IAM token is signed for (the token names it, not
         * the endpoint). Required when `auth` is "iam".
         */
        replicationGroupId: z
          .string()
          .regex(/^[a-z][a-z0-9-]{0,39}$/, "must be 1-40 lowercase letters, digits or hyphens")
          .optional(),
        /** Cluster mode (ElastiCache with more than one shard). @default false */
        cluster: z.boolean().default(false),
        /** Prefix of every key the service writes. @default "search:" */
        keyPrefix: z.string().default("search:"),
        /** Logical database for the cache (evictable keys). @default 0 */
        cacheDb: nonNegativeInt().max(15).default(0),
        /** @default 1000 */
        connectTimeoutMs: positiveInt().default(1_000),
      })
      .prefault({}),

    cache: z
      .strictObject({
        /** Cache search results in Redis. Off: every search goes to PostgreSQL. @default true */
        enabled: z.boolean().default(true),
        /** Search results. @default 300 */
        searchTtlSeconds: positiveInt().default(300),
        /** Single documents. @default 600 */
        documentTtlSeconds: positiveInt().default(600),
        /** How long a result may be served stale while PostgreSQL is down. @default 3600 */
        staleTtlSeconds: positiveInt().default(3_600),
      })
      .prefault({}),

    rateLimits: z
      .strictObject({
        /** Window of every limit, in seconds. @default 60 */
        windowSeconds: positiveInt().default(60),
        /** Requests per window by tier and operation. @default the SLA tier table */
        tiers: z
          .strictObject(
            Object.fromEntries(SLA_TIER_NAMES.map((t) => [t, tierLimitsSchema])) as Record<
              (typeof SLA_TIER_NAMES)[number],
              typeof tierLimitsSchema
            >,
          )
          .default(defaultTierLimits),
        /** Per client IP before a tenant is known. @default 20 per minute */
        perIpPerMinute: positiveInt().default(PER_IP_FALLBACK.requestsPerMinute),
      })
      .prefault({}),

    limits: z
      .strictObject({
        /** @default 512 */
        maxQueryLength: positiveInt().max(4096).default(512),
        /** @default 20 */
        defaultPageSize: positiveInt().default(20),
        /** @default 100 */
        maxPageSize: positiveInt().max(100).default(100),
        /** Documents in one bulk request. @default 500 */
        maxBulkDocuments: positiveInt().max(10_000).default(500),
        /** Request body, in bytes. @default 10 MiB */
        maxBodyBytes: positiveInt()
          .max(10 * 1024 * 1024)
          .default(10 * 1024 * 1024),
      })
      .prefault({}),

    resilience: z
      .strictObject({
        postgresWriter: dependencyPolicySchema.prefault({ timeoutMs: 6_000 }),
        postgresReader: dependencyPolicySchema.prefault({ timeoutMs: 6_000 }),
        redis: dependencyPolicySchema.prefault({
          timeoutMs: 250,
          retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
          bulkhead: { maxConcurrent: 200, maxQueue: 200 },
          breaker: { slowCallDurationMs: 200 },
        }),
        /** Shed optional work above this load fraction. @default 0.8 */
        shedOptionalAboveLoad: fraction().default(0.8),
      })
      .prefault({}),

    governance: governanceSchema.prefault({}),

    observability: z
      .strictObject({
        /** @default "info" */
        logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
      })
      .prefault({}),
  })
  .superRefine((s, ctx) => {
    if (s.server.headersTimeoutMs <= s.server.keepAliveTimeoutMs) {
      ctx.addIssue({
        code: "custom",
        path: ["server", "headersTimeoutMs"],
        message: `must be greater than server.keepAliveTimeoutMs (${s.server.keepAliveTimeoutMs}), got ${s.server.headersTimeoutMs}`,
      });
    }
    if (s.redis.cluster && s.redis.cacheDb !== 0) {
      ctx.addIssue({
        code: "custom",
        path: ["redis", "cacheDb"],
        message: `must be 0 when redis.cluster is true (cluster mode has one database), got ${s.redis.cacheDb}`,
      });
    }
    if (s.redis.auth === "iam") {
      // ElastiCache accepts IAM tokens only over TLS, from a named user, for a named group.
      const why = 'when redis.auth is "iam"';
      if (!s.redis.tls) {
        ctx.addIssue({
          code: "custom",
          path: ["redis", "tls"],
          message: `must be true ${why} (ElastiCache accepts IAM tokens only over TLS), got false`,
        });
      }
      for (const field of ["user", "replicationGroupId"] as const) {
        if (s.redis[field] === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["redis", field],
            message: `must be set ${why} (the token is signed for it)`,
          });
        }
      }
    }
    if (s.postgres.auth === "iam" && s.postgres.sslMode !== "verify-full") {
      // The token is a 15-minute credential: send it only to a server whose name was verified.
      ctx.addIssue({
        code: "custom",
        path: ["postgres", "sslMode"],
        message: `must be "verify-full" when postgres.auth is "iam" (the token is a credential: send it only to a verified server), got "${s.postgres.sslMode}"`,
      });
    }
    if (s.server.drainDelayMs >= s.server.shutdownGraceMs) {
      ctx.addIssue({
        code: "custom",
        path: ["server", "drainDelayMs"],
        message: `must be less than server.shutdownGraceMs (${s.server.shutdownGraceMs}), got ${s.server.drainDelayMs}`,
      });
    }
    if (s.limits.defaultPageSize > s.limits.maxPageSize) {
      ctx.addIssue({
        code: "custom",
        path: ["limits", "defaultPageSize"],
        message: `must be at most limits.maxPageSize (${s.limits.maxPageSize}), got ${s.limits.defaultPageSize}`,
      });
    }
    for (const dep of ["postgresWriter", "postgresReader"] as const) {
      const timeoutMs = s.resilience[dep].timeoutMs;
      if (timeoutMs <= s.postgres.statementTimeoutMs) {
        // The client deadline is a backstop: PostgreSQL's statement_timeout must fire first so
        // the server stops the work (node-postgres cannot cancel a query on its own).
        ctx.addIssue({
          code: "custom",
          path: ["resilience", dep, "timeoutMs"],
          message: `must be greater than postgres.statementTimeoutMs (${s.postgres.statementTimeoutMs}), got ${timeoutMs}`,
        });
      }
    }
  });

/** What a deployment writes: every field optional, defaults filled in by the schema. */
export type ServiceSettingsInput = z.input<typeof serviceSettingsSchema>;
/** The validated, complete settings the service runs with. */
export type ServiceSettings = z.output<typeof serviceSettingsSchema>;

/** Thrown by `parseServiceSettings` with every invalid value at once. */
export class InvalidSettingsError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `Invalid service settings in ${source}:\n` +
        issues.map((i) => `  - ${i.path || "(root)"}: ${i.message}`).join("\n"),
    );
    this.name = "InvalidSettingsError";
  }
}

/**
 * Validates raw settings and returns them complete and deeply frozen.
 * @throws InvalidSettingsError listing the path of every invalid value.
 */
export function parseServiceSettings(raw: unknown, source = "settings"): ServiceSettings {
  const result = serviceSettingsSchema.safeParse(raw);
  if (!result.success) {
    throw new InvalidSettingsError(source, describeIssues(result.error.issues, raw));
  }
  return deepFreeze(result.data);
}

/** Freezes an object and everything it holds, so settings cannot change after start-up. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
