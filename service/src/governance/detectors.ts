/**
 * Sensitive values typed into free text (titles, bodies, snippets, queries): what they look
 * like, which classification they carry, and their masked forms.
 *
 * These patterns have twins in SQL (`search.mask_free_text`, migration 0002), which blanks the
 * same values out of the search index and masks them in the body before `ts_headline` cuts it
 * into a snippet. A test runs both over the same samples; change them together.
 *
 * Detection is by shape, so it has the limits of shapes: a US-style SSN or phone number, an
 * email address, a card number that passes the Luhn check, a medical record number only after
 * an "MRN" label. A value written another way (an SSN without separators, an international
 * phone number) is not found in free text; structured fields are masked by name whatever their
 * shape (see `masking.ts`).
 */
import type { Classification } from "../config/compliance";

export const FREE_TEXT_KINDS = ["card", "ssn", "phone", "email", "mrn"] as const;
export type FreeTextKind = (typeof FREE_TEXT_KINDS)[number];

/** The classification of each kind of value found in free text. */
export const FREE_TEXT_CLASSIFICATION: Readonly<Record<FreeTextKind, Classification>> = {
  card: "pci",
  ssn: "pii",
  phone: "pii",
  email: "pii",
  mrn: "phi",
};

interface Detector {
  readonly kind: FreeTextKind;
  readonly pattern: RegExp;
  /** The masked form of one match; undefined leaves the match as it is. */
  mask(match: RegExpExecArray): string | undefined;
}

const lastDigits = (s: string, n = 4) => s.replace(/[^0-9]/g, "").slice(-n);

/** In the order they are applied (a card number must go before it can look like a phone). */
const DETECTORS: readonly Detector[] = [
  {
    kind: "card",
    pattern: /(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g,
    mask: (m) => (luhnValid(m[0].replace(/[^0-9]/g, "")) ? `****${lastDigits(m[0])}` : undefined),
  },
  {
    kind: "ssn",
    pattern: /(?<![0-9])[0-9]{3}(?:-[0-9]{2}-| [0-9]{2} )([0-9]{4})(?![0-9])/g,
    mask: (m) => `***-**-${m[1]}`,
  },
  {
    kind: "phone",
    pattern:
      /(?<![0-9])(?:\+?1[ .-]?)?(?:\([0-9]{3}\) ?|[0-9]{3}[ .-])[0-9]{3}[ .-]([0-9]{4})(?![0-9])/g,
    mask: (m) => `***-***-${m[1]}`,
  },
  {
    kind: "mrn",
    pattern: /\b([Mm][Rr][Nn](?:[:#] ?| ))[A-Za-z]{0,4}[0-9-]{0,16}([0-9]{4})\b/g,
    mask: (m) => `${m[1]}****${m[2]}`,
  },
  {
    kind: "email",
    pattern:
      /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g,
    mask: (m) => `${m[1]}***@${m[2]}`,
  },
];

/** The Luhn checksum every payment card number satisfies. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A sensitive value found in a text: where, and its masked form. */
export interface Finding {
  readonly kind: FreeTextKind;
  readonly start: number;
  readonly end: number;
  readonly masked: string;
}

const HAS_DIGIT = /[0-9]/;

/**
 * The sensitive values of the given kinds in `text`, left to right, never overlapping. Kinds
 * apply in a fixed order, each to what the previous ones left, as the SQL twin does.
 */
export function findSensitive(text: string, kinds: ReadonlySet<FreeTextKind>): Finding[] {
  if (kinds.size === 0) return [];
  const digits = HAS_DIGIT.test(text);
  const at = text.includes("@");
  if (!digits && !at) return [];
  const found: Finding[] = [];
  for (const detector of DETECTORS) {
    if (!kinds.has(detector.kind)) continue;
    if (detector.kind === "email" ? !at : !digits) continue;
    detector.pattern.lastIndex = 0;
    for (let m = detector.pattern.exec(text); m; m = detector.pattern.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (found.some((f) => start < f.end && end > f.start)) {
        // Part of a value an earlier kind took: look again just after this start.
        detector.pattern.lastIndex = start + 1;
        continue;
      }
      const masked = detector.mask(m);
      if (masked !== undefined) found.push({ kind: detector.kind, start, end, masked });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** A text after masking, and the kinds of value that were masked in it. */
export interface MaskedText {
  readonly text: string;
  readonly kinds: readonly FreeTextKind[];
}

/** `text` with every sensitive value of the given kinds replaced by its masked form. */
export function maskFreeText(text: string, kinds: ReadonlySet<FreeTextKind>): MaskedText {
  const found = findSensitive(text, kinds);
  if (found.length === 0) return { text, kinds: [] };
  let out = "";
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.start) + f.masked;
    at = f.end;
  }
  return { text: out + text.slice(at), kinds: found.map((f) => f.kind) };
}

/**
 * Masks a snippet whose matched words are wrapped in `start`/`stop` markers (which may sit
 * inside a value: a query can match part of one). The values are found in the text without
 * the markers; a highlight that overlaps a masked value is dropped, the others are kept.
 */
export function maskHighlighted(
  snippet: string,
  kinds: ReadonlySet<FreeTextKind>,
  start: string,
  stop: string,
): MaskedText {
  // Nothing findSensitive looks for (digits, '@'): nothing to mask, no need to strip markers.
  if (kinds.size === 0 || (!HAS_DIGIT.test(snippet) && !snippet.includes("@"))) {
    return { text: snippet, kinds: [] };
  }
  // The text without markers, and where each marker stood in it.
  const markers: { at: number; open: boolean }[] = [];
  let plain = "";
  for (const ch of snippet) {
    if (ch === start || ch === stop) markers.push({ at: plain.length, open: ch === start });
    else plain += ch;
  }
  const found = findSensitive(plain, kinds);
  if (found.length === 0) return { text: snippet, kinds: [] };
  const overlaps = (from: number, to: number) => found.some((f) => from < f.end && to > f.start);
  const kept = new Set<number>();
  for (let i = 0; i < markers.length; i++) {
    if (!markers[i].open) continue;
    const close = markers.findIndex((n, j) => j > i && !n.open);
    const to = close === -1 ? plain.length : markers[close].at;
    if (!overlaps(markers[i].at, to)) {
      kept.add(i);
      if (close !== -1) kept.add(close);
    }
  }
  let out = "";
  let marker = 0;
  const emitMarkersUpTo = (pos: number) => {
    for (; marker < markers.length && markers[marker].at <= pos; marker++) {
      if (kept.has(marker)) out += markers[marker].open ? start : stop;
    }
  };
  let at = 0;
  for (const f of found) {
    for (; at < f.start; at++) {
      emitMarkersUpTo(at);
      out += plain[at];
    }
    emitMarkersUpTo(at);
    out += f.masked;
    at = f.end;
    // Markers strictly inside the value belong to dropped highlights.
    while (marker < markers.length && markers[marker].at < f.end) marker++;
  }
  for (; at < plain.length; at++) {
    emitMarkersUpTo(at);
    out += plain[at];
  }
  emitMarkersUpTo(plain.length);
  return { text: out, kinds: found.map((f) => f.kind) };
}

/** The masked forms the service itself writes (here and in SQL), by kind; mrn before card. */
const MASKED_FORMS: readonly (readonly [FreeTextKind, RegExp])[] = [
  ["mrn", /\b[Mm][Rr][Nn](?:[:#] ?| )\*{4}[0-9]{4}/g],
  ["card", /(?<![*-])\*{4}[0-9]{4}(?![0-9])/g],
  ["ssn", /\*{3}-\*{2}-[0-9]{4}(?![0-9])/g],
  ["phone", /\*{3}-\*{3}-[0-9]{4}(?![0-9])/g],
  ["email", /[A-Za-z0-9._%+-]\*{3}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g],
];

/**
 * The kinds of value shown masked in `text`: for a snippet that PostgreSQL masked before
 * cutting it (`search.mask_free_text`), so that its metadata says what it hides. Only `kinds`
 * are looked for (what the caller's role has masked); a document that itself contains text
 * shaped like a mask is reported as masked.
 */
export function findMaskedForms(text: string, kinds: ReadonlySet<FreeTextKind>): FreeTextKind[] {
  if (kinds.size === 0 || !text.includes("***")) return [];
  const found: FreeTextKind[] = [];
  let rest = text;
  for (const [kind, pattern] of MASKED_FORMS) {
    if (!kinds.has(kind)) continue;
    const replaced = rest.replace(pattern, " ");
    if (replaced !== rest) found.push(kind);
    rest = replaced;
  }
  return found;
}
