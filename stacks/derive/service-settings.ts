/**
 * `PlatformConfig` ──► `ServiceSettings`: the same typed config that sizes and secures the
 * infrastructure decides how the deployed service behaves, so the two cannot drift. Every rule
 * below says why it is what it is; the result is validated by the service's own schema.
 */
import {
  COMPLIANCE_PRESETS,
  DEFAULT_MASKING_RULES,
  DEFAULT_ROLE_CLEARANCES,
  parseServiceSettings,
  PER_IP_FALLBACK,
  SLA_TIER_NAMES,
  SLA_TIERS,
  type ServiceSettings,
  type ServiceSettingsInput,
} from "@search-platform/service/settings";
import {
  terminationTimeline,
  type TerminationTimeline,
} from "../../constructs/workloads/termination";
import { cloudWatchRetentionAtLeast, type PlatformConfig } from "../config";
import { planConnections, type ConnectionPlan } from "./connection-budget";

/** The port the service listens on (the image's PORT). */
export const SERVICE_PORT = 8080;

/** Seconds the service's keep-alive outlives the ALB's idle timeout. */
export const KEEP_ALIVE_MARGIN_SECONDS = 5;

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * The ElastiCache RBAC user the service authenticates as: `service.redisUser`, or
 * `search-<name>-app`. The infra stack must create the user under this name (RedisCache's
 * `appUserName`); ElastiCache user ids are unique per account and region, hence the name.
 */
export function redisAppUserName(config: PlatformConfig): string {
  return config.service.redisUser ?? `search-${config.name}-app`;
}

/**
 * The ElastiCache replication group's id, `search-<name>`: the infra stack names the group so,
 * and the service signs its IAM auth tokens for it (a token names the group, not an endpoint).
 */
export function redisReplicationGroupId(config: PlatformConfig): string {
  return `search-${config.name}`;
}

/**
 * How long the audit trail must stay writable with no partition upkeep at all: neither the daily
 * maintenance CronJob nor the service's own hourly upkeep running (a broken image rolled back
 * and forth, a deploy freeze, a CronJob failing unnoticed over holidays). Eight weeks.
 */
export const AUDIT_UNATTENDED_DAYS = 56;

/** The shortest month: N monthly partitions ahead cover at least N × 28 days from any day. */
const SHORTEST_MONTH_DAYS = 28;

/** The audit trail's retention: the configured or preset minimum, as CloudWatch can keep it. */
export function auditRetentionInDays(config: PlatformConfig): number {
  const preset = COMPLIANCE_PRESETS[config.compliance.preset];
  // CloudWatch Logs accepts only certain retentions (2555 → 2557, 1095 → 1096); the service
  // keeps its audit partitions exactly as long as the log group keeps the trail, so both use
  // the CloudWatch value, which is never below the preset's minimum.
  return cloudWatchRetentionAtLeast(
    config.compliance.auditRetentionInDays ?? preset.minAuditRetentionInDays,
  );
}

/**
 * The service's settings for an environment, validated by the service's own schema.
 * @throws DerivationError when the config cannot run the service (e.g. too few connections).
 * @throws InvalidSettingsError when a rule here produced settings the service would refuse.
 */
export function deriveServiceSettings(config: PlatformConfig): ServiceSettings {
  const tier = SLA_TIERS[config.sla.tier];
  const p95 = tier.p95LatencyMs;
  const preset = COMPLIANCE_PRESETS[config.compliance.preset];
  const pools = planConnections(config);

  // ── PostgreSQL deadlines ────────────────────────────────────────────────────────────────
  // A statement running ten times the tier's whole p95 target can no longer meet the SLO:
  // PostgreSQL stops it (node-postgres cannot cancel from JavaScript), so a slow query stops
  // holding a connection and the database. 1 s floor so a bulk write is not cut; 30 s ceiling
  // (REFERENCE.md, and the schema's maximum). enterprise 2 s, standard 5 s, free 10 s.
  const statementTimeoutMs = clamp(p95 * 10, 1_000, 30_000);
  // The client's deadline is only a backstop: it must expire after PostgreSQL's, with a second
  // for the cancellation to come back, or the client gives up on a statement still running.
  const postgresTimeoutMs = statementTimeoutMs + 1_000;
  // REFERENCE.md: PostgreSQL retries 3 tries, exponential, 100 / 200 / 400 ms.
  const postgresRetry = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 400 };
  // A request that has waited this long for a connection has missed its p95 anyway: fail fast
  // so that the breaker sees it. enterprise 1 s, standard 2.5 s, free 5 s (node-postgres' 5 s).
  const connectionTimeoutMs = clamp(p95 * 5, 1_000, 5_000);

  // ── Redis deadlines ─────────────────────────────────────────────────────────────────────
  // The cache exists to save time: a lookup costing more than a quarter of the p95 budget is
  // worse than asking PostgreSQL. 50 ms floor (TLS and cross-AZ round trips), 250 ms ceiling.
  // enterprise 50 ms, standard 125 ms, free 250 ms.
  const redisTimeoutMs = clamp(Math.round(p95 / 4), 50, 250);

  // ── Breakers ────────────────────────────────────────────────────────────────────────────
  // REFERENCE.md: open on a 50% failure rate over 20 calls or 5 consecutive failures, stay
  // open 60 s, close after 3 successful probes of at most 5.
  const breakerBase = {
    failureRateThreshold: 0.5,
    slowCallRateThreshold: 0.8,
    windowMs: 30_000,
    minimumCalls: 20,
    consecutiveFailures: 5,
    openStateMs: 60_000,
    halfOpenMaxProbes: 5,
    halfOpenSuccessesToClose: 3,
  };
  // A read that alone uses up the tier's p95 target is slow: the tighter the tier, the sooner a
  // sluggish reader trips the breaker (enterprise 200 ms, free 1 s).
  const readerBreaker = { ...breakerBase, slowCallDurationMs: p95 };
  // Writes are not searches: a bulk upsert of maxBulkDocuments legitimately takes several p95s
  // (~0.2-0.7 s for 500 documents measured locally), and a writer busy with bulk ingest must
  // not open its breaker on slowness alone. A write is slow when it has used half its
  // statement timeout, i.e. when it is getting close to being cancelled (enterprise 1 s, free 5 s).
  const writerBreaker = { ...breakerBase, slowCallDurationMs: statementTimeoutMs / 2 };
  // A Redis call past 80% of its deadline is slow (the schema's 200 of 250 ms, scaled).
  const redisBreaker = { ...breakerBase, slowCallDurationMs: Math.round(redisTimeoutMs * 0.8) };

  // ── Server ──────────────────────────────────────────────────────────────────────────────
  // A request may run its database calls to the end, retries included, before the server
  // gives up on it; otherwise the retries are wasted work. At most 30 s (REFERENCE.md).
  const requestTimeoutMs = Math.min(
    30_000,
    postgresTimeoutMs * postgresRetry.maxAttempts +
      postgresRetry.maxDelayMs * (postgresRetry.maxAttempts - 1) +
      1_000,
  );
  // On SIGTERM every in-flight request may finish: the drain lasts as long as the longest one.
  const shutdownGraceMs = requestTimeoutMs + 1_000;
  // Above the ALB's idle timeout, or the ALB reuses a socket the service has just closed and
  // answers 502 (Node's keep-alive default is 5 s, the ALB's 60 s).
  const keepAliveTimeoutMs =
    (config.service.ingress.idleTimeoutSeconds + KEEP_ALIVE_MARGIN_SECONDS) * 1000;

  // ── Audit partitions and checkpoints ────────────────────────────────────────────────────
  // Partitions ahead: enough that inserts find a partition for AUDIT_UNATTENDED_DAYS with no
  // upkeep (otherwise the first insert of a month creates it on demand, in a request's path,
  // and fails if that fails). Monthly partitions: 2 ahead; an empty partition costs nothing.
  const partitionInterval = "month";
  const partitionsAhead = Math.ceil(AUDIT_UNATTENDED_DAYS / SHORTEST_MONTH_DAYS);
  // Checkpoints: records after a chain's latest signed checkpoint rest on the chain (which the
  // table owner can rewrite) and the CloudWatch copy alone, so the interval bounds that window.
  // Under a fail-closed preset (HIPAA, SOX) the window is halved to 30 s; each checkpoint is
  // one small INSERT per tenant a replica wrote for, so the cost stays negligible either way.
  const checkpointIntervalMs = preset.auditFailClosed ? 30_000 : 60_000;

  const input: ServiceSettingsInput = {
    environment: config.name,
    server: {
      port: SERVICE_PORT,
      keepAliveTimeoutMs,
      // Node's rule: headersTimeout must exceed keepAliveTimeout.
      headersTimeoutMs: keepAliveTimeoutMs + 1_000,
      requestTimeoutMs,
      shutdownGraceMs,
      // The pod's preStop pause keeps the listener open while the ALB deregisters the target;
      // an in-process delay on top would only lengthen every rollout.
      drainDelayMs: 0,
      // The ALB is the one proxy in front of the service; its X-Forwarded-For is trusted.
      trustProxyHops: 1,
    },
    postgres: {
      writerPoolMax: pools.writerPoolMax,
      readerPoolMax: pools.readerPoolMax,
      idleTimeoutMs: 30_000,
      connectionTimeoutMs,
      statementTimeoutMs,
      // Aurora forces TLS (rds.force_ssl); verify-full also checks the host name, so a
      // spoofed endpoint cannot collect the IAM token.
      sslMode: "verify-full",
      // IAM database authentication: a 15-minute token signed with the pod's role, no password
      // anywhere (the migration Job alone uses the master secret).
      auth: "iam",
      // A tenant's reads stay on the writer after it writes, for twice the replica lag the
      // platform alarms on (at least 5 s): beyond that lag the readers are an incident, and a
      // result read from a lagging reader would be cached as current.
      readYourWritesMs: Math.max(5_000, 2 * config.observability.thresholds.auroraReplicaLagMs),
    },
    auth: {
      // REFERENCE.md: token validation cached 5 minutes. Under a fail-closed preset (HIPAA,
      // SOX) a revoked key must stop working within a minute even if the revocation message
      // is lost, so the cache is shorter there.
      keyCacheTtlSeconds: preset.auditFailClosed ? 60 : 300,
      keyCacheMaxEntries: 10_000,
    },
    redis: {
      // TLS exactly when ElastiCache encrypts in transit (config rule: always, for IAM auth).
      tls: config.redis.transitEncryption,
      // IAM auth as the app user; the default user is disabled by the RedisCache construct.
      auth: "iam",
      user: redisAppUserName(config),
      replicationGroupId: redisReplicationGroupId(config),
      // More than one shard is ElastiCache cluster mode: the client must follow MOVED.
      cluster: config.redis.shards > 1,
      keyPrefix: "search:",
      cacheDb: 0,
      connectTimeoutMs: 1_000,
    },
    cache: {
      enabled: true,
      // REFERENCE.md cache TTLs: search results 5 min, a document 10 min.
      searchTtlSeconds: 300,
      documentTtlSeconds: 600,
      staleTtlSeconds: 3_600,
    },
    rateLimits: {
      // REFERENCE.md: a one-minute window; limits per tier and operation from the tier table,
      // every tier (tenants of any tier can live in any environment).
      windowSeconds: 60,
      tiers: Object.fromEntries(
        SLA_TIER_NAMES.map((t) => [t, { ...SLA_TIERS[t].requestsPerMinute }]),
      ) as NonNullable<ServiceSettingsInput["rateLimits"]>["tiers"],
      perIpPerMinute: PER_IP_FALLBACK.requestsPerMinute,
    },
    limits: {
      // REFERENCE.md: pages of at most 100, bodies of at most 10 MB.
      maxQueryLength: 512,
      defaultPageSize: 20,
      maxPageSize: 100,
      maxBulkDocuments: 500,
      maxBodyBytes: 10 * 1024 * 1024,
    },
    resilience: {
      postgresWriter: {
        timeoutMs: postgresTimeoutMs,
        breaker: writerBreaker,
        retry: postgresRetry,
        // No more queries in flight than the pool has connections; the rest wait in a bounded
        // queue (REFERENCE.md: 100-200) instead of piling up inside node-postgres.
        bulkhead: { maxConcurrent: pools.writerPoolMax, maxQueue: 100 },
      },
      postgresReader: {
        timeoutMs: postgresTimeoutMs,
        breaker: readerBreaker,
        retry: postgresRetry,
        bulkhead: { maxConcurrent: pools.readerPoolMax, maxQueue: 100 },
      },
      redis: {
        timeoutMs: redisTimeoutMs,
        breaker: redisBreaker,
        // REFERENCE.md: Redis 2 tries at 50 / 100 ms, then skip the cache.
        retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
        bulkhead: { maxConcurrent: 200, maxQueue: 200 },
      },
      // REFERENCE.md: above 80% load, drop optional features.
      shedOptionalAboveLoad: 0.8,
    },
    governance: {
      compliancePreset: config.compliance.preset,
      // What the regime masks, the fields the product classifies, and who is cleared for what.
      maskedClassifications: [...preset.maskedClassifications],
      maskingRules: DEFAULT_MASKING_RULES.map((r) => ({ ...r })),
      roleClearances: Object.fromEntries(
        Object.entries(DEFAULT_ROLE_CLEARANCES).map(([role, c]) => [role, [...c]]),
      ) as NonNullable<ServiceSettingsInput["governance"]>["roleClearances"],
      audit: {
        enabled: true,
        retentionInDays: auditRetentionInDays(config),
        failClosed: preset.auditFailClosed,
        hashQueries: preset.hashQueriesInAudit,
        batchMaxSize: 200,
        batchMaxDelayMs: 5,
        partitionInterval,
        partitionsAhead,
        checkpointIntervalMs,
      },
      erasure: { enabled: preset.erasureEnabled },
      // The compliance report's after-hours count: UTC office hours unless an environment says
      // otherwise (no platform field yet).
      businessHours: { timeZone: "UTC", startHour: 8, endHour: 18 },
    },
    observability: { logLevel: "info" },
  };
  return parseServiceSettings(input, `the settings derived for environment "${config.name}"`);
}

/** The pod-level figures that go with the settings. */
export interface ServiceRuntimePlan {
  readonly connections: ConnectionPlan;
  readonly termination: TerminationTimeline;
  /** The ALB's idle timeout, below the service's keep-alive. */
  readonly albIdleTimeoutSeconds: number;
}

/** Connection budget and termination timeline of the service's pods. */
export function deriveServiceRuntime(
  config: PlatformConfig,
  settings: ServiceSettings,
): ServiceRuntimePlan {
  return {
    connections: planConnections(config),
    // The grace period covers the preStop pause and the whole drain (see termination.ts).
    termination: terminationTimeline(
      settings.server.shutdownGraceMs,
      config.service.preStopDelaySeconds,
    ),
    albIdleTimeoutSeconds: config.service.ingress.idleTimeoutSeconds,
  };
}
