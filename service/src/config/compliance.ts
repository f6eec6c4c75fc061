/**
 * Compliance presets: what each regime asks of the audit trail, masking and erasure.
 *
 * One table, read by the service (its governance behaviour) and by the platform (CloudWatch log
 * retention, the policy rules' minimum retention, the derived settings). Figures start from
 * ../shared/REFERENCE.md ("Data protection and retention").
 */

export const COMPLIANCE_PRESET_NAMES = ["none", "gdpr", "hipaa", "sox"] as const;
export type CompliancePresetName = (typeof COMPLIANCE_PRESET_NAMES)[number];

/** Data classifications, from least to most sensitive. */
export const CLASSIFICATIONS = ["public", "internal", "confidential", "pii", "phi", "pci"] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export interface CompliancePreset {
  /** The least audit retention the regime accepts, in days. */
  readonly minAuditRetentionInDays: number;
  /** Refuse an access when its audit record cannot be written (instead of spooling it). */
  readonly auditFailClosed: boolean;
  /** Store a keyed hash of the search query in the audit record instead of the query text. */
  readonly hashQueriesInAudit: boolean;
  /** The audit destination must be immutable (no update or delete, even by the owner). */
  readonly immutableAudit: boolean;
  /** Data subjects can ask for erasure (`DELETE /v1/subjects/:id`). */
  readonly erasureEnabled: boolean;
  /** Classifications masked for every role that has not been cleared for them. */
  readonly maskedClassifications: readonly Classification[];
}

/**
 * HIPAA asks for 6 years of audit records (45 CFR 164.316(b)(2)); 2555 days (7 years) is what
 * REFERENCE.md and most HIPAA programmes use, so that is the floor here. SOX asks for 7 years.
 * GDPR sets no fixed period; 3 years is the reference figure.
 */
export const COMPLIANCE_PRESETS: Readonly<Record<CompliancePresetName, CompliancePreset>> =
  Object.freeze({
    none: {
      minAuditRetentionInDays: 730,
      auditFailClosed: false,
      hashQueriesInAudit: false,
      immutableAudit: false,
      erasureEnabled: true,
      maskedClassifications: ["pci"],
    },
    gdpr: {
      minAuditRetentionInDays: 1095,
      auditFailClosed: false,
      hashQueriesInAudit: true,
      immutableAudit: false,
      erasureEnabled: true,
      maskedClassifications: ["pii", "phi", "pci"],
    },
    hipaa: {
      minAuditRetentionInDays: 2555,
      auditFailClosed: true,
      hashQueriesInAudit: true,
      immutableAudit: true,
      erasureEnabled: true,
      maskedClassifications: ["pii", "phi", "pci"],
    },
    sox: {
      minAuditRetentionInDays: 2555,
      auditFailClosed: true,
      hashQueriesInAudit: false,
      immutableAudit: true,
      erasureEnabled: false,
      maskedClassifications: ["pci"],
    },
  });
