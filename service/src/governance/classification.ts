/**
 * Classification: what each piece of a document is, and which roles may see it unmasked.
 *
 * - A document carries its own `classification`: it covers the title, the body, the subject id
 *   and every structured field that no masking rule names.
 * - A masking rule (`settings.governance.maskingRules`) classifies a structured field by name,
 *   wherever it appears, and says how to mask it.
 * - Sensitive values typed into free text are classified by their kind (`detectors.ts`).
 *
 * A role sees a classification unmasked when the preset does not mask it
 * (`maskedClassifications`) or the role is cleared for it (`roleClearances`). What a role may
 * not see unmasked it may not search for, filter on or sort by either (see `RoleView`).
 */
import { createHash } from "node:crypto";
import { CLASSIFICATIONS, type Classification } from "../config/compliance";
import { ROLES, type MaskingRule, type Role, type ServiceSettings } from "../config/settings";
import { AppError } from "../http/errors";
import {
  FREE_TEXT_CLASSIFICATION,
  FREE_TEXT_KINDS,
  findSensitive,
  type FreeTextKind,
} from "./detectors";

/** The classification of a document's subject id: it names a person. */
export const SUBJECT_CLASSIFICATION: Classification = "pii";

const KIND_NAMES: Readonly<Record<FreeTextKind, string>> = {
  card: "a payment card number",
  ssn: "a social security number",
  phone: "a phone number",
  email: "an email address",
  mrn: "a medical record number",
};

/** The governance settings' view of classification and masking, per role. */
export class ClassificationPolicy {
  /** Changes whenever a setting that changes a masked response does (part of cache keys). */
  readonly fingerprint: string;
  private readonly views: ReadonlyMap<Role, RoleView>;

  constructor(governance: ServiceSettings["governance"]) {
    const rules = new Map(governance.maskingRules.map((r) => [r.field, r]));
    const masked = new Set<Classification>(governance.maskedClassifications);
    this.views = new Map(
      ROLES.map((role) => {
        const cleared = new Set<Classification>(governance.roleClearances[role] ?? []);
        return [role, new RoleView(role, (c) => !masked.has(c) || cleared.has(c), rules)];
      }),
    );
    this.fingerprint = createHash("sha256")
      .update(
        JSON.stringify([
          governance.maskedClassifications,
          governance.maskingRules,
          governance.roleClearances,
        ]),
      )
      .digest("base64url")
      .slice(0, 12);
  }

  view(role: Role): RoleView {
    return this.views.get(role)!;
  }
}

/** What one role may see, and the checks its requests must pass. */
export class RoleView {
  /** Classifications the role sees unmasked; undefined when it sees every one. */
  readonly visible: readonly Classification[] | undefined;
  /** Kinds of free-text value masked for this role. */
  readonly maskedKinds: ReadonlySet<FreeTextKind>;

  constructor(
    readonly role: Role,
    private readonly sees: (c: Classification) => boolean,
    private readonly rules: ReadonlyMap<string, MaskingRule>,
  ) {
    const visible = CLASSIFICATIONS.filter(sees);
    this.visible = visible.length === CLASSIFICATIONS.length ? undefined : visible;
    this.maskedKinds = new Set(FREE_TEXT_KINDS.filter((k) => !sees(FREE_TEXT_CLASSIFICATION[k])));
  }

  canSee(classification: Classification): boolean {
    return this.sees(classification);
  }

  /** The masking rule of a structured field, if one names it. */
  rule(field: string): MaskingRule | undefined {
    return this.rules.get(field);
  }

  /** A structured field's classification: its rule's, or else its document's. */
  fieldClassification(field: string, documentClassification: Classification): Classification {
    return this.rules.get(field)?.classification ?? documentClassification;
  }

  /**
   * Refuses (403) a query that contains a value of a kind this role sees masked: searching for
   * a full SSN would otherwise let it confirm that the SSN is on file. (Such values are also
   * kept out of the index, so no query can match them; this makes the refusal explicit.)
   */
  checkQuery(q: string): void {
    const [finding] = findSensitive(q, this.maskedKinds);
    if (!finding) return;
    const classification = FREE_TEXT_CLASSIFICATION[finding.kind];
    throw AppError.forbidden(
      `The query contains what looks like ${KIND_NAMES[finding.kind]} (${classification}): the ${this.role} role does not see ${classification} data unmasked, so it may not search for it.`,
    );
  }

  /** Refuses (403) filtering or sorting on a field this role sees masked. */
  checkField(field: string, use: "filter on" | "sort by"): void {
    const rule = this.rules.get(field);
    if (!rule || this.sees(rule.classification)) return;
    throw AppError.forbidden(
      `The ${this.role} role may not ${use} \`${field}\`: it is ${rule.classification} data, which this role sees masked.`,
    );
  }

  /** Refuses (403) asking for documents of a classification this role may not see. */
  checkClassification(classification: Classification): void {
    if (this.sees(classification)) return;
    throw AppError.forbidden(
      `The ${this.role} role may not search ${classification} documents: it sees ${classification} data masked.`,
    );
  }
}
