import {
  COMPLIANCE_PRESETS,
  parseServiceSettings,
  PER_IP_FALLBACK,
  RATE_LIMITED_OPERATIONS,
  SLA_TIER_NAMES,
  SLA_TIERS,
} from "@search-platform/service/settings";
import {
  applyOverride,
  auroraMaxConnections,
  CLOUDWATCH_RETENTION_DAYS,
  cloudWatchRetentionAtLeast,
  loadPlatformConfig,
  type PlatformConfig,
} from "../../../stacks/config";
import {
  AUDIT_UNATTENDED_DAYS,
  auditRetentionInDays,
  DerivationError,
  deriveServiceAlarmThresholds,
  deriveServiceRuntime,
  deriveServiceSettings,
  planConnections,
  POOL_CEILING,
  redisAppUserName,
  redisReplicationGroupId,
  RESERVED_CONNECTIONS,
} from "../../../stacks/derive";
import { ENVIRONMENTS, loadEnvironments } from "../../../stacks/environments";

const environments = loadEnvironments();
const byName = (name: string) => environments.find((e) => e.name === name)!;
const withOverride = (env: string, override: unknown): PlatformConfig =>
  loadPlatformConfig(env, applyOverride(ENVIRONMENTS[env], override));
const reserved = Object.values(RESERVED_CONNECTIONS).reduce((a, b) => a + b, 0);

describe("deriveServiceSettings", () => {
  describe.each(environments.map((c) => [c.name, c] as const))("in %s", (_name, config) => {
    // GIVEN the shipped environment
    // WHEN its settings are derived
    const settings = deriveServiceSettings(config);
    const runtime = deriveServiceRuntime(config, settings);

    it("produces settings the service's own schema accepts after a JSON round trip", () => {
      // THEN what the ConfigMap will carry parses back to the same settings
      expect(parseServiceSettings(JSON.parse(JSON.stringify(settings)))).toEqual(settings);
      expect(settings.environment).toBe(config.name);
    });

    it("keeps every PostgreSQL connection of the fleet at its peak within one instance's budget", () => {
      const { peakPods, maxSurge } = runtime.connections;
      const usable =
        Math.floor(
          auroraMaxConnections(config.aurora.instanceClass) *
            Math.min(0.8, config.observability.thresholds.auroraConnectionsPercent / 100),
        ) - reserved;
      // THEN pods at HPA max plus the rollout's surge × both pools fit on the writer alone
      // (no reader, or a failover) and on any single reader (DNS skew, a lost reader)
      expect(peakPods).toBe(config.service.replicas.max + maxSurge);
      expect(
        peakPods * (settings.postgres.writerPoolMax + settings.postgres.readerPoolMax),
      ).toBeLessThanOrEqual(usable);
      expect(peakPods * settings.postgres.writerPoolMax).toBeLessThanOrEqual(usable);
      expect(peakPods * settings.postgres.readerPoolMax).toBeLessThanOrEqual(usable);
      // and the pools stay below the connection alarm's threshold
      expect(runtime.connections.connectionsAtPeak).toBeLessThan(
        (auroraMaxConnections(config.aurora.instanceClass) *
          config.observability.thresholds.auroraConnectionsPercent) /
          100,
      );
    });

    it("lets no more queries run at once than the pools have connections", () => {
      expect(settings.resilience.postgresWriter.bulkhead.maxConcurrent).toBe(
        settings.postgres.writerPoolMax,
      );
      expect(settings.resilience.postgresReader.bulkhead.maxConcurrent).toBe(
        settings.postgres.readerPoolMax,
      );
    });

    it("keeps the audit trail exactly as long as CloudWatch will, and at least the preset's minimum", () => {
      const preset = COMPLIANCE_PRESETS[config.compliance.preset];
      const retention = settings.governance.audit.retentionInDays;
      expect(retention).toBe(auditRetentionInDays(config));
      expect(CLOUDWATCH_RETENTION_DAYS).toContain(retention);
      expect(retention).toBeGreaterThanOrEqual(preset.minAuditRetentionInDays);
      expect(retention).toBe(cloudWatchRetentionAtLeast(preset.minAuditRetentionInDays));
    });

    it("keeps the audit trail writable for eight weeks with no partition upkeep at all", () => {
      const audit = settings.governance.audit;
      expect(audit.partitionInterval).toBe("month");
      expect(audit.partitionsAhead).toBe(2);
      // From any day, N monthly partitions ahead reach at least N shortest months further.
      expect(audit.partitionsAhead * 28).toBeGreaterThanOrEqual(AUDIT_UNATTENDED_DAYS);
      expect(AUDIT_UNATTENDED_DAYS).toBe(56);
    });

    it("anchors the audit chains in signed checkpoints every 30 s under a fail-closed preset, 60 s otherwise", () => {
      const preset = COMPLIANCE_PRESETS[config.compliance.preset];
      expect(settings.governance.audit.checkpointIntervalMs).toBe(
        preset.auditFailClosed ? 30_000 : 60_000,
      );
    });

    it("applies the compliance preset's governance", () => {
      const preset = COMPLIANCE_PRESETS[config.compliance.preset];
      expect(settings.governance.compliancePreset).toBe(config.compliance.preset);
      expect(settings.governance.maskedClassifications).toEqual(preset.maskedClassifications);
      expect(settings.governance.audit.failClosed).toBe(preset.auditFailClosed);
      expect(settings.governance.audit.hashQueries).toBe(preset.hashQueriesInAudit);
      expect(settings.governance.erasure.enabled).toBe(preset.erasureEnabled);
      expect(settings.governance.audit.enabled).toBe(true);
    });

    it("uses TLS to Redis exactly when ElastiCache encrypts in transit, and IAM as the app user", () => {
      expect(settings.redis.tls).toBe(config.redis.transitEncryption);
      expect(settings.redis.auth).toBe("iam");
      expect(settings.redis.user).toBe(redisAppUserName(config));
      // The token names the replication group the infra stack creates.
      expect(settings.redis.replicationGroupId).toBe(redisReplicationGroupId(config));
      expect(redisReplicationGroupId(config)).toBe(`search-${config.name}`);
      expect(settings.redis.cluster).toBe(config.redis.shards > 1);
    });

    it("keeps a tenant's reads on the writer for longer than the replica lag it alarms on", () => {
      expect(settings.postgres.readYourWritesMs).toBeGreaterThan(
        config.observability.thresholds.auroraReplicaLagMs,
      );
    });

    it("bounds how long a revoked API key keeps working by the preset", () => {
      const preset = COMPLIANCE_PRESETS[config.compliance.preset];
      expect(settings.auth.keyCacheTtlSeconds).toBe(preset.auditFailClosed ? 60 : 300);
    });

    it("signs in to PostgreSQL with IAM over TLS that verifies the host", () => {
      expect(settings.postgres.auth).toBe("iam");
      expect(settings.postgres.sslMode).toBe("verify-full");
    });

    it("takes every rate limit from the tier table", () => {
      for (const tier of SLA_TIER_NAMES) {
        for (const op of RATE_LIMITED_OPERATIONS) {
          expect(settings.rateLimits.tiers[tier][op]).toBe(SLA_TIERS[tier].requestsPerMinute[op]);
        }
      }
      expect(settings.rateLimits.windowSeconds).toBe(60);
      expect(settings.rateLimits.perIpPerMinute).toBe(PER_IP_FALLBACK.requestsPerMinute);
    });

    it("orders the deadlines: statement < client < request < drain < termination grace", () => {
      const pg = settings.postgres.statementTimeoutMs;
      for (const dep of ["postgresWriter", "postgresReader"] as const) {
        expect(settings.resilience[dep].timeoutMs).toBeGreaterThan(pg);
        expect(settings.server.requestTimeoutMs).toBeGreaterThan(
          settings.resilience[dep].timeoutMs,
        );
      }
      expect(settings.server.shutdownGraceMs).toBeGreaterThanOrEqual(
        settings.server.requestTimeoutMs,
      );
      const { terminationGracePeriodSeconds, preStopDelaySeconds } = runtime.termination;
      // the preStop pause counts against the grace period
      expect((terminationGracePeriodSeconds - preStopDelaySeconds) * 1000).toBeGreaterThan(
        settings.server.shutdownGraceMs,
      );
      expect(preStopDelaySeconds).toBe(config.service.preStopDelaySeconds);
    });

    it("lets the ALB finish a draining request and keeps the service's keep-alive above the ALB's", () => {
      const { deregistrationDelaySeconds, preStopDelaySeconds, terminationGracePeriodSeconds } =
        runtime.termination;
      expect(deregistrationDelaySeconds * 1000).toBeGreaterThanOrEqual(
        preStopDelaySeconds * 1000 + settings.server.shutdownGraceMs,
      );
      expect(deregistrationDelaySeconds).toBeLessThan(terminationGracePeriodSeconds);
      expect(settings.server.keepAliveTimeoutMs).toBeGreaterThan(
        runtime.albIdleTimeoutSeconds * 1000,
      );
      expect(settings.server.headersTimeoutMs).toBeGreaterThan(settings.server.keepAliveTimeoutMs);
    });

    it("keeps every deadline within REFERENCE.md's 30 s", () => {
      expect(settings.postgres.statementTimeoutMs).toBeLessThanOrEqual(30_000);
      expect(settings.server.requestTimeoutMs).toBeLessThanOrEqual(30_000);
    });

    it("counts a write as slow only at half its statement timeout, so bulk ingest cannot open the writer's breaker", () => {
      expect(settings.resilience.postgresWriter.breaker.slowCallDurationMs).toBe(
        settings.postgres.statementTimeoutMs / 2,
      );
      expect(settings.resilience.postgresWriter.breaker.slowCallDurationMs).toBeGreaterThan(
        settings.resilience.postgresReader.breaker.slowCallDurationMs,
      );
    });

    it("treats a Redis call as slow before its deadline", () => {
      const redis = settings.resilience.redis;
      expect(redis.breaker.slowCallDurationMs).toBeLessThan(redis.timeoutMs);
      expect(redis.timeoutMs).toBeLessThan(SLA_TIERS[config.sla.tier].p95LatencyMs);
    });
  });

  it("gives the tier with the tighter p95 the tighter breaker and deadlines", () => {
    // GIVEN prod's config under each tier
    const derived = SLA_TIER_NAMES.map((tier) => ({
      p95: SLA_TIERS[tier].p95LatencyMs,
      settings: deriveServiceSettings(withOverride("prod", { sla: { tier } })),
    })).sort((a, b) => a.p95 - b.p95);
    // THEN ordered by p95, each setting is non-decreasing and the extremes differ
    const series = (f: (s: (typeof derived)[number]["settings"]) => number) =>
      derived.map((d) => f(d.settings));
    for (const values of [
      series((s) => s.resilience.postgresReader.breaker.slowCallDurationMs),
      series((s) => s.resilience.postgresWriter.breaker.slowCallDurationMs),
      series((s) => s.postgres.statementTimeoutMs),
      series((s) => s.resilience.redis.timeoutMs),
      series((s) => s.server.requestTimeoutMs),
    ]) {
      expect([...values].sort((a, b) => a - b)).toEqual(values);
      expect(values[0]).toBeLessThan(values[values.length - 1]);
    }
    expect(series((s) => s.resilience.postgresReader.breaker.slowCallDurationMs)).toEqual(
      derived.map((d) => d.p95),
    );
  });

  it("rounds an explicit audit retention up to one CloudWatch accepts", () => {
    // GIVEN a HIPAA environment asking for 2600 days
    const config = withOverride("prod", { compliance: { auditRetentionInDays: 2600 } });
    // THEN the service and the log group keep 2922 days
    expect(deriveServiceSettings(config).governance.audit.retentionInDays).toBe(2922);
  });

  it("halves the unanchored window when the preset audits fail-closed", () => {
    const audit = (preset: string) =>
      deriveServiceSettings(withOverride("staging", { compliance: { preset } })).governance.audit;
    expect(audit("hipaa").checkpointIntervalMs).toBe(30_000);
    expect(audit("sox").checkpointIntervalMs).toBe(30_000);
    expect(audit("gdpr").checkpointIntervalMs).toBe(60_000);
    expect(audit("none").checkpointIntervalMs).toBe(60_000);
  });

  it("turns on cluster mode when the cache has more than one shard", () => {
    const config = withOverride("prod", { redis: { shards: 3 } });
    expect(deriveServiceSettings(config).redis.cluster).toBe(true);
  });

  it("uses the configured Redis user", () => {
    const config = withOverride("dev", { service: { redisUser: "search-shared-app" } });
    expect(deriveServiceSettings(config).redis.user).toBe("search-shared-app");
  });

  it("is a pure function: the same config gives equal, frozen settings", () => {
    const config = byName("staging");
    const first = deriveServiceSettings(config);
    expect(deriveServiceSettings(config)).toEqual(first);
    expect(Object.isFrozen(first.postgres)).toBe(true);
  });

  it("fails when the HPA maximum leaves too few connections for pools of two", () => {
    // GIVEN dev's db.t4g.medium (max_connections 419) and 200 pods at most
    const config = withOverride("dev", { service: { replicas: { min: 1, max: 200 } } });
    // WHEN the settings are derived THEN the error names the field and the figures
    expect(() => deriveServiceSettings(config)).toThrow(DerivationError);
    expect(() => deriveServiceSettings(config)).toThrow(
      'Cannot derive the service settings of environment "dev":\n' +
        '  - service.replicas.max: 200 pods (+50 during a rollout) need 1000 connections for pools of 2, but aurora.instanceClass "db.t4g.medium" leaves 325 (max_connections 419 × 80% − 10 reserved); lower service.replicas.max or choose a larger aurora.instanceClass',
    );
  });
});

describe("planConnections", () => {
  it.each([
    // instance class, HPA max → pool per pod
    ["db.t4g.medium", 3, POOL_CEILING],
    ["db.t4g.medium", 30, 4],
    ["db.t4g.large", 30, 8],
    ["db.r7g.large", 60, 8],
    ["db.r7g.xlarge", 20, POOL_CEILING],
  ] as const)("sizes pools on %s with %i pods at most to %i", (instanceClass, max, pool) => {
    const config = withOverride("dev", {
      aurora: { instanceClass },
      service: { replicas: { min: 1, max } },
    });
    const plan = planConnections(config);
    expect(plan.writerPoolMax).toBe(pool);
    expect(plan.readerPoolMax).toBe(pool);
    expect(plan.peakPods * (plan.writerPoolMax + plan.readerPoolMax)).toBeLessThanOrEqual(
      plan.budget,
    );
  });

  it("leaves the connection alarm headroom when its threshold is below 80%", () => {
    // GIVEN an alarm at 50% of max_connections
    const config = withOverride("dev", {
      observability: { thresholds: { auroraConnectionsPercent: 50 } },
      service: { replicas: { min: 1, max: 30 } },
    });
    const plan = planConnections(config);
    // THEN the pools fit below it
    expect(plan.poolShare).toBe(0.5);
    expect(plan.connectionsAtPeak).toBeLessThanOrEqual(Math.floor(419 * 0.5) - reserved);
  });
});

describe("deriveServiceAlarmThresholds", () => {
  it.each(environments.map((c) => [c.name, c] as const))(
    "sets the latency alarm of %s at its tier's p95 objective",
    (_name, config) => {
      expect(deriveServiceAlarmThresholds(config)).toEqual({
        latencyP95Seconds: SLA_TIERS[config.sla.tier].p95LatencyMs / 1000,
        serverErrorPercent: 1,
        sustainedMinutes: 5,
      });
    },
  );
});
