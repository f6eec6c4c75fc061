/**
 * The compliance report (`GET /v1/compliance/report?from=&to=`, admin and auditor): for the
 * caller's tenant and the period [from, to), from its audit trail —
 *
 * - accesses (requests served), by action and by classification shown unmasked and masked;
 * - denied attempts (401, 403, 429), by status and action;
 * - erasures, and the documents they deleted;
 * - accesses outside business hours (`governance.businessHours`, in its time zone: before
 *   `startHour`, from `endHour`, or on a day not in `weekdays`);
 * - the state of the audit chain (the whole chain, as `GET /v1/audit/verify`).
 *
 * Attempt records (fail-closed presets) are not accesses: the final record of the same request
 * is. Requests without a tenant (an unknown key) are in no tenant's report.
 */
import type { Database } from "../adapters/postgres/database";
import { CLASSIFICATIONS, type Classification } from "../config/compliance";
import type { ServiceSettings } from "../config/settings";
import type { Principal } from "../domain/principal";
import type { AuditKeys } from "./audit-record";
import { verifyChain, type ChainVerification } from "./audit-verify";

export interface ComplianceReport {
  readonly tenantId: string;
  readonly from: string;
  readonly to: string;
  readonly compliancePreset: string;
  readonly accesses: {
    readonly total: number;
    readonly byAction: Record<string, number>;
    readonly byClassification: Record<Classification, { shown: number; masked: number }>;
  };
  readonly denied: {
    readonly total: number;
    readonly byStatus: Record<string, number>;
    readonly byAction: Record<string, number>;
  };
  readonly errors: number;
  readonly erasures: { readonly total: number; readonly documentsDeleted: number };
  readonly afterHours: {
    readonly accesses: number;
    readonly businessHours: ServiceSettings["governance"]["businessHours"];
  };
  readonly auditChain: ChainVerification;
}

interface Counts {
  accesses: string;
  by_action: Record<string, number>;
  shown: Record<string, number>;
  masked: Record<string, number>;
  denied: string;
  denied_by_status: Record<string, number>;
  denied_by_action: Record<string, number>;
  errors: string;
  erasures: string;
  erased_documents: string;
  after_hours: string;
}

const COUNTS_SQL = `
WITH r AS (
  SELECT * FROM search.audit_log
  WHERE tenant_id = $1 AND occurred_at >= $2 AND occurred_at < $3 AND outcome <> 'attempt'
), served AS (
  SELECT * FROM r WHERE outcome = 'allowed'
)
SELECT
  (SELECT count(*) FROM served) AS accesses,
  (SELECT coalesce(jsonb_object_agg(action, n), '{}') FROM
     (SELECT action, count(*) AS n FROM served GROUP BY action) x) AS by_action,
  (SELECT coalesce(jsonb_object_agg(c, n), '{}') FROM
     (SELECT c, count(*) AS n FROM served, unnest(served.classifications) c GROUP BY c) x) AS shown,
  (SELECT coalesce(jsonb_object_agg(c, n), '{}') FROM
     (SELECT c, count(*) AS n FROM served, unnest(served.masked_classifications) c GROUP BY c) x)
    AS masked,
  (SELECT count(*) FROM r WHERE outcome = 'denied') AS denied,
  (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM
     (SELECT status::text, count(*) AS n FROM r WHERE outcome = 'denied' GROUP BY status) x)
    AS denied_by_status,
  (SELECT coalesce(jsonb_object_agg(action, n), '{}') FROM
     (SELECT action, count(*) AS n FROM r WHERE outcome = 'denied' GROUP BY action) x)
    AS denied_by_action,
  (SELECT count(*) FROM r WHERE outcome = 'error') AS errors,
  (SELECT count(*) FROM served WHERE action = 'erase') AS erasures,
  (SELECT coalesce(sum((details ->> 'documentsDeleted')::bigint), 0) FROM served
     WHERE action = 'erase') AS erased_documents,
  (SELECT count(*) FROM served
     WHERE extract(isodow FROM occurred_at AT TIME ZONE $4)::int <> ALL ($5::int[])
        OR extract(hour FROM occurred_at AT TIME ZONE $4)::int < $6
        OR extract(hour FROM occurred_at AT TIME ZONE $4)::int >= $7) AS after_hours`;

export class ComplianceReporter {
  constructor(
    private readonly db: Database,
    private readonly keys: AuditKeys,
    private readonly governance: ServiceSettings["governance"],
  ) {}

  async report(principal: Principal, from: Date, to: Date): Promise<ComplianceReport> {
    const hours = this.governance.businessHours;
    const tx = this.db.forTenant(principal.tenantId);
    const [counts] = await tx.query<Counts>(COUNTS_SQL, [
      principal.tenantId,
      from,
      to,
      hours.timeZone,
      hours.weekdays,
      hours.startHour,
      hours.endHour,
    ]);
    const auditChain = await verifyChain(tx, this.keys);
    const byClassification = Object.fromEntries(
      CLASSIFICATIONS.map((c) => [
        c,
        { shown: counts.shown[c] ?? 0, masked: counts.masked[c] ?? 0 },
      ]),
    ) as Record<Classification, { shown: number; masked: number }>;
    return {
      tenantId: principal.tenantId,
      from: from.toISOString(),
      to: to.toISOString(),
      compliancePreset: this.governance.compliancePreset,
      accesses: { total: Number(counts.accesses), byAction: counts.by_action, byClassification },
      denied: {
        total: Number(counts.denied),
        byStatus: counts.denied_by_status,
        byAction: counts.denied_by_action,
      },
      errors: Number(counts.errors),
      erasures: {
        total: Number(counts.erasures),
        documentsDeleted: Number(counts.erased_documents),
      },
      afterHours: { accesses: Number(counts.after_hours), businessHours: hours },
      auditChain,
    };
  }
}
