/** What the HTTP layer is given: settings, observability, and the domain once started. */
import type { RateLimiter } from "../adapters/redis/rate-limiter";
import type { ServiceSettings } from "../config/settings";
import type { ApiKeyAuthenticator, KeyService } from "../domain/api-keys";
import type { DocumentService } from "../domain/documents";
import type { SearchService } from "../domain/search";
import type { AuditTrail } from "../governance/audit-trail";
import type { AuditVerifier } from "../governance/audit-verify";
import type { ComplianceReporter } from "../governance/compliance-report";
import type { ErasureService } from "../governance/erasure";
import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import type { ReadinessReport } from "../resilience/readiness";

export interface DomainServices {
  readonly documents: DocumentService;
  readonly search: SearchService;
  readonly keys: KeyService;
  readonly erasure: ErasureService;
  readonly auditVerifier: AuditVerifier;
  readonly compliance: ComplianceReporter;
}

/** Start-up and shutdown state, read by the health endpoints. */
export interface Lifecycle {
  /** Start-up checks passed (schema current, signing key loaded). */
  started: boolean;
  /** SIGTERM received: readiness fails, in-flight requests finish. */
  draining: boolean;
  /** Why start-up has not finished yet (for /health/startup). */
  startupProblem: string | undefined;
}

export interface HttpContext {
  readonly settings: ServiceSettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly lifecycle: Lifecycle;
  readonly authenticator: ApiKeyAuthenticator;
  readonly rateLimiter: RateLimiter;
  /** Records every /v1 request (governance/audit-trail.ts); usable before start-up finished. */
  readonly audit: AuditTrail;
  /** Undefined until start-up finished. */
  readonly services: () => DomainServices | undefined;
  /** Probes the dependencies for /health/ready (see resilience/readiness.ts). */
  readonly readiness: () => Promise<ReadinessReport>;
}
