/**
 * Masking: what a role receives of a document or a search hit.
 *
 * - A document of a classification the role may not see unmasked: its title, body (or
 *   snippet), subject id and every field are "[REDACTED]" (null stays null). Only its id,
 *   external id, classification and dates remain.
 * - Otherwise, a structured field the role may not see is masked by its rule's strategy (a field
 *   without a rule has the document's classification, which the role sees); the subject id is
 *   pii; sensitive values typed into the title and the body or snippet are masked by kind.
 *
 * Every response says what it masked (`meta.masked`) and how its parts are classified
 * (`meta.classification`), and the caller learns which classifications it was shown unmasked
 * and masked (for the audit trail).
 */
import type { Classification } from "../config/compliance";
import type { MaskStrategy } from "../config/settings";
import type { ClassificationMeta } from "../domain/schemas";
import { SUBJECT_CLASSIFICATION, type RoleView } from "./classification";
import {
  FREE_TEXT_CLASSIFICATION,
  findMaskedForms,
  maskFreeText,
  maskHighlighted,
  type MaskedText,
} from "./detectors";

/** What replaces a value that may not be shown at all. */
export const REDACTED = "[REDACTED]";

export type FieldValue = string | number | boolean | null;

/** The classifications a response showed unmasked and masked (for the audit record). */
export class AccessSummary {
  readonly shown = new Set<Classification>();
  readonly masked = new Set<Classification>();

  merge(other: AccessSummary): void {
    for (const c of other.shown) this.shown.add(c);
    for (const c of other.masked) this.masked.add(c);
  }
}

/** The parts of a document a response carries. `text` is the body, or a highlighted snippet. */
export interface Content {
  readonly classification: Classification;
  readonly title: string;
  readonly text: string;
  readonly subjectId: string | null;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

export interface MaskedContent {
  readonly title: string;
  readonly text: string;
  readonly subjectId: string | null;
  readonly fields: Record<string, FieldValue>;
  readonly meta: ClassificationMeta;
}

export interface MaskOptions {
  /** How `text` is named in `meta.masked`. */
  readonly textName: "body" | "snippet";
  /** Markers around highlighted words in `text`, kept outside masked values. */
  readonly highlight?: { readonly start: string; readonly stop: string };
}

/** Masks one document's content for a role; records what it showed in `summary`. */
export function maskContent(
  view: RoleView,
  content: Content,
  options: MaskOptions,
  summary: AccessSummary,
): MaskedContent {
  const masked: string[] = [];
  const fieldClassifications: Record<string, Classification> = {};
  const fields: Record<string, FieldValue> = {};

  if (!view.canSee(content.classification)) {
    summary.masked.add(content.classification);
    for (const [name, value] of Object.entries(content.fields)) {
      const classification = view.fieldClassification(name, content.classification);
      fieldClassifications[name] = classification;
      summary.masked.add(classification);
      fields[name] = value === null ? null : REDACTED;
      masked.push(`fields.${name}`);
    }
    masked.unshift("title", options.textName);
    if (content.subjectId !== null) masked.push("subjectId");
    return {
      title: REDACTED,
      text: REDACTED,
      subjectId: content.subjectId === null ? null : REDACTED,
      fields,
      meta: {
        classification: { document: content.classification, fields: fieldClassifications },
        masked,
      },
    };
  }

  summary.shown.add(content.classification);
  const title = maskFreeText(content.title, view.maskedKinds);
  let text: MaskedText;
  if (options.highlight) {
    const { start, stop } = options.highlight;
    const highlighted = maskHighlighted(content.text, view.maskedKinds, start, stop);
    // PostgreSQL masks a snippet's body before cutting it: count what it masked too. (Every
    // masked form holds "***": without a '*' there is none, and no markers to strip.)
    const already = highlighted.text.includes("*")
      ? findMaskedForms(
          highlighted.text.replaceAll(start, "").replaceAll(stop, ""),
          view.maskedKinds,
        )
      : [];
    text = { text: highlighted.text, kinds: [...highlighted.kinds, ...already] };
  } else {
    text = maskFreeText(content.text, view.maskedKinds);
  }
  note(title, "title", masked, summary);
  note(text, options.textName, masked, summary);

  let subjectId = content.subjectId;
  if (subjectId !== null) {
    if (view.canSee(SUBJECT_CLASSIFICATION)) {
      summary.shown.add(SUBJECT_CLASSIFICATION);
    } else {
      subjectId = REDACTED;
      masked.push("subjectId");
      summary.masked.add(SUBJECT_CLASSIFICATION);
    }
  }

  for (const [name, value] of Object.entries(content.fields)) {
    const classification = view.fieldClassification(name, content.classification);
    fieldClassifications[name] = classification;
    if (view.canSee(classification)) {
      fields[name] = value;
      summary.shown.add(classification);
    } else {
      fields[name] = maskFieldValue(value, view.rule(name)?.strategy ?? "redact");
      masked.push(`fields.${name}`);
      summary.masked.add(classification);
    }
  }

  return {
    title: title.text,
    text: text.text,
    subjectId,
    fields,
    meta: {
      classification: { document: content.classification, fields: fieldClassifications },
      masked,
    },
  };
}

function note(result: MaskedText, name: string, masked: string[], summary: AccessSummary): void {
  if (result.kinds.length === 0) return;
  masked.push(name);
  for (const kind of result.kinds) summary.masked.add(FREE_TEXT_CLASSIFICATION[kind]);
}

const digitsOf = (s: string) => s.replace(/[^0-9]/g, "");

/**
 * A structured field's value masked by a strategy (REFERENCE.md, "Masking conventions"). A
 * value too short to keep its last four characters without showing all of it is redacted.
 */
export function maskFieldValue(value: FieldValue, strategy: MaskStrategy): FieldValue {
  if (value === null) return null;
  if (typeof value === "boolean") return REDACTED;
  const s = String(value);
  const lastFour = (kept: string, prefix: string) =>
    kept.length > 4 ? `${prefix}${kept.slice(-4)}` : REDACTED;
  switch (strategy) {
    case "ssn":
      return lastFour(digitsOf(s), "***-**-");
    case "phone":
      return lastFour(digitsOf(s), "***-***-");
    case "card":
      return lastFour(digitsOf(s), "****");
    case "mrn":
      return lastFour(s.replace(/[^A-Za-z0-9]/g, ""), "****");
    case "email": {
      const at = s.lastIndexOf("@");
      return at > 0 && at < s.length - 1 ? `${s[0]}***@${s.slice(at + 1)}` : REDACTED;
    }
    case "redact":
      return REDACTED;
  }
}
