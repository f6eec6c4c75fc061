/**
 * The service masks free text in TypeScript and PostgreSQL masks it in SQL (the snippet's body
 * before ts_headline cuts it, and the index, which must not contain the values at all): both
 * must find the same values and write the same masks. And the field strategies' conventions.
 */
import type { Client } from "pg";
import {
  FREE_TEXT_KINDS,
  findMaskedForms,
  findSensitive,
  maskFreeText,
} from "../../src/governance/detectors";
import { maskFieldValue } from "../../src/governance/masking";
import { TestEnvironment } from "../support/environment";

const env = new TestEnvironment();
let db: Client;

beforeAll(async () => {
  await env.setUp();
  db = await env.connectAs("search_app");
});
afterAll(async () => {
  await db.end();
  await env.tearDown();
});

const ALL = new Set(FREE_TEXT_KINDS);

const SAMPLES = [
  "SSN 123-45-6789, or written 123 45 6789",
  "not an SSN: 1123-45-6789 or 123-45-67890 or 123-456-789",
  "call (555) 123-4567, +1 555.123.4567, 1-555-987-6543 or 555 987 6543",
  "mail john.doe+tag@mail.example.co.uk or J_Doe@example.com.",
  "cards 4111 1111 1111 1111, 4111-1111-1111-1111, 5500005555555559 and 378282246310005",
  "not cards (Luhn fails): 4111 1111 1111 1112 and 1234567890123",
  "MRN: 00123456, MRN#A1234567, mrn 98765 — but mRNA-1273 and MRN is short",
  "mixed: 123-45-6789/jane@x.io/(212) 555-0100 and card 4111111111111111.",
  "nothing sensitive: the year 2026, room 101, version 1.2.3",
  "unicode ünïcødé 123-45-6789 ✓ jane@example.org",
];

describe("free-text detectors", () => {
  it.each(SAMPLES)("mask %j exactly as PostgreSQL does", async (sample) => {
    const { rows } = await db.query<{ masked: string; blank: string }>(
      `SELECT search.mask_free_text($1, $2) AS masked, search.searchable_text($1) AS blank`,
      [sample, [...FREE_TEXT_KINDS]],
    );
    const blanked = findSensitive(sample, ALL).reduceRight(
      (text, f) => text.slice(0, f.start) + " " + text.slice(f.end),
      sample,
    );

    expect(maskFreeText(sample, ALL).text).toBe(rows[0].masked);
    expect(blanked).toBe(rows[0].blank);
  });

  it("finds each kind where it is, and nothing in ordinary text", () => {
    const kinds = (text: string) => findSensitive(text, ALL).map((f) => f.kind);

    expect(kinds("SSN 123-45-6789")).toEqual(["ssn"]);
    expect(kinds("(555) 123-4567")).toEqual(["phone"]);
    expect(kinds("a@b.io")).toEqual(["email"]);
    expect(kinds("4111111111111111")).toEqual(["card"]);
    expect(kinds("MRN: 00123456")).toEqual(["mrn"]);
    expect(kinds(SAMPLES[8])).toEqual([]);
  });

  it("recognizes its own masked forms, each as its kind", () => {
    expect(
      findMaskedForms("***-**-6789 ***-***-4567 ****1111 j***@example.com MRN: ****3456", ALL),
    ).toEqual(["mrn", "card", "ssn", "phone", "email"]);
    expect(findMaskedForms("no masks here, 4 stars **** alone", ALL)).toEqual([]);
  });
});

describe("field masking strategies", () => {
  it.each([
    ["ssn", "123-45-6789", "***-**-6789"],
    ["ssn", 123456789, "***-**-6789"],
    ["phone", "+1 (555) 123-4567", "***-***-4567"],
    ["email", "jane.roe@example.com", "j***@example.com"],
    ["card", "4111 1111 1111 1111", "****1111"],
    ["mrn", "MRN-00123456", "****3456"],
    ["redact", "hypertension", "[REDACTED]"],
    ["ssn", "1234", "[REDACTED]"],
    ["email", "not an address", "[REDACTED]"],
    ["card", true, "[REDACTED]"],
    ["ssn", null, null],
  ] as const)("%s masks %j as %j", (strategy, value, masked) => {
    expect(maskFieldValue(value, strategy)).toBe(masked);
  });
});
