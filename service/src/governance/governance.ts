/**
 * Governance, composed from the settings (`runtime.ts` builds one per process): the
 * classification policy, the audit trail (writer, stdout channel, partition upkeep) and the
 * domain services behind /v1/subjects, /v1/audit and /v1/compliance.
 */
import type { Dependency } from "../adapters/dependency";
import type { RedisClient } from "../adapters/redis/client";
import type { RedisKeys } from "../adapters/redis/keys";
import type { SearchCache } from "../adapters/redis/search-cache";
import type { AuditKeyMaterial } from "../config/load";
import type { ServiceSettings } from "../config/settings";
import type { Pools } from "../domain/read-routing";
import type { Logger } from "../observability/logger";
import type { Registry } from "prom-client";
import { createAuditPartitions } from "./audit-maintenance";
import { AuditKeys, type AuditRecord } from "./audit-record";
import { AuditTrail } from "./audit-trail";
import { AuditVerifier } from "./audit-verify";
import { AuditMetrics, AuditWriter, type ChainPosition } from "./audit-writer";
import { ClassificationPolicy } from "./classification";
import { ComplianceReporter } from "./compliance-report";
import { ErasureService } from "./erasure";

/** How often the service makes sure the audit partitions ahead exist. */
const PARTITION_UPKEEP_MS = 60 * 60 * 1000;

export interface GovernanceOptions {
  readonly settings: ServiceSettings;
  readonly auditKeys: AuditKeyMaterial;
  readonly pools: Pools;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly describeError: (err: unknown) => string;
}

export interface GovernanceServices {
  readonly erasure: ErasureService;
  readonly auditVerifier: AuditVerifier;
  readonly compliance: ComplianceReporter;
}

export class Governance {
  readonly policy: ClassificationPolicy;
  readonly keys: AuditKeys;
  readonly trail: AuditTrail;
  readonly writer: AuditWriter | undefined;
  private upkeep: NodeJS.Timeout | undefined;
  private erasure: ErasureService | undefined;

  constructor(private readonly options: GovernanceOptions) {
    const { settings, logger, describeError } = options;
    const audit = settings.governance.audit;
    this.policy = new ClassificationPolicy(settings.governance);
    this.keys = new AuditKeys(options.auditKeys);
    if (options.auditKeys.development) {
      logger.warn(
        "AUDIT_HMAC_KEY is not set: the audit trail uses a development key, which proves nothing",
      );
    }
    // The audit channel: one JSON line per committed record, at info whatever the log level.
    const channel = logger.child({ channel: "audit" }, { level: "info" });
    this.writer = audit.enabled
      ? new AuditWriter(
          options.pools.writer,
          this.keys,
          audit,
          (record, position) => channel.info(auditLine(record, position), "audit record"),
          new AuditMetrics(options.registry),
          {
            onError: (err, operation) =>
              logger.warn({ operation, err: describeError(err) }, "audit write failed"),
            onDropped: (count, reason) =>
              logger.error({ count, reason }, "audit records dropped unwritten"),
            ensurePartitions: () => this.ensurePartitions(),
          },
        )
      : undefined;
    this.trail = new AuditTrail(audit, this.keys, this.writer, (requestId, err) =>
      logger.error(
        { requestId, err: describeError(err) },
        "audit record not written: the response was refused",
      ),
    );
  }

  /** Start-up: the partitions ahead exist (then hourly). Throws while the database fails. */
  async start(): Promise<void> {
    await this.ensurePartitions();
    this.upkeep ??= setInterval(() => {
      this.ensurePartitions().catch((err: unknown) =>
        this.options.logger.warn(
          { err: this.options.describeError(err) },
          "audit partition upkeep failed",
        ),
      );
    }, PARTITION_UPKEEP_MS);
    this.upkeep.unref();
  }

  async ensurePartitions(): Promise<void> {
    const created = await createAuditPartitions(
      this.options.pools.writer,
      this.options.settings.governance.audit,
    );
    if (created.length > 0) this.options.logger.info({ created }, "audit partitions created");
  }

  services(redis: {
    readonly cache: SearchCache;
    readonly client: RedisClient;
    readonly dependency: Dependency;
    readonly keys: RedisKeys;
  }): GovernanceServices {
    const { pools, settings, logger, describeError } = this.options;
    this.erasure = new ErasureService({
      pools,
      cache: redis.cache,
      redis: redis.client,
      redisDependency: redis.dependency,
      keys: redis.keys,
      auditKeys: this.keys,
      settings,
      onSweepFailure: (tenantId, err) =>
        logger.warn(
          { tenantId, err: describeError(err) },
          "erasure: cached responses not swept yet; retrying",
        ),
    });
    return {
      erasure: this.erasure,
      auditVerifier: new AuditVerifier(pools.reader, this.keys),
      compliance: new ComplianceReporter(pools.reader, this.keys, settings.governance),
    };
  }

  /** Writes what the audit trail still holds; stops the timers. Before the pools close. */
  async close(): Promise<void> {
    clearInterval(this.upkeep);
    this.erasure?.close();
    await this.writer?.close();
  }
}

/**
 * A committed record as the audit channel carries it: no document content, ever. Fields that
 * are null or empty are left out.
 */
function auditLine(r: AuditRecord, p: ChainPosition): Record<string, unknown> {
  const line: Record<string, unknown> = {
    recordId: r.id,
    tenantId: r.tenantId,
    seq: p.seq,
    hash: p.hash.toString("hex"),
    prevHash: p.prevHash.toString("hex"),
    occurredAt: r.occurredAt.toISOString(),
    requestId: r.requestId,
    action: r.action,
    outcome: r.outcome,
    status: r.status,
  };
  if (r.keyId !== null) line.keyId = r.keyId;
  if (r.role !== null) line.role = r.role;
  if (r.resource !== null) line.resource = r.resource;
  if (r.resultCount !== null) line.resultCount = r.resultCount;
  if (r.classifications.length > 0) line.classifications = r.classifications;
  if (r.maskedClassifications.length > 0) line.maskedClassifications = r.maskedClassifications;
  if (r.queryDigest !== null) line.queryDigest = r.queryDigest;
  if (r.queryText !== null) line.queryText = r.queryText;
  if (r.clientIp !== null) line.clientIp = r.clientIp;
  if (r.details !== null) line.details = r.details;
  return line;
}
