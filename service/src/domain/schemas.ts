/**
 * The request and response schemas of the API: the single source of their types. Bounds come
 * from `settings.limits`, so the schemas are built once at start-up by `createSchemas`.
 */
import { z } from "zod";
import { CLASSIFICATIONS } from "../config/compliance";
import { ROLES, type ServiceSettings } from "../config/settings";

/** A structured field's value: what `fields` filters can match with equality. */
const fieldValue = z.union([z.string().max(1_000), z.number(), z.boolean(), z.null()]);
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const MAX_FIELDS = 64;
const SORT = /^-?[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export const SEARCH_MODES = ["websearch", "prefix", "fuzzy"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

// Control characters other than tab and newlines have no place in a document or a query (and
// PostgreSQL rejects NUL in text).
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const noControlChars = (s: string) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s);

export function createSchemas(limits: ServiceSettings["limits"]) {
  const documentInput = z.strictObject({
    externalId: z
      .string()
      .min(1)
      .max(256)
      .refine(noControlChars, "must not contain control characters"),
    title: z.string().max(1_000).refine(noControlChars, "must not contain control characters"),
    body: z
      .string()
      .max(limits.maxBodyBytes)
      .refine(noControlChars, "must not contain control characters"),
    fields: z
      .record(z.string().regex(FIELD_NAME, "must be a field name like `category`"), fieldValue)
      .refine((f) => Object.keys(f).length <= MAX_FIELDS, `must have at most ${MAX_FIELDS} keys`)
      .default({}),
    classification: z.enum(CLASSIFICATIONS).default("internal"),
    /** The data subject (person) the document is about: what erasure deletes by. */
    subjectId: z
      .string()
      .min(1)
      .max(256)
      .refine(noControlChars, "must not contain control characters")
      .optional(),
  });

  const bulkInput = z.strictObject({
    // Items are validated one by one (a bad item fails alone), so only the envelope here.
    documents: z.array(z.unknown()).min(1).max(limits.maxBulkDocuments),
  });

  const documentId = z.uuid({ message: "must be a document id (a UUID)" });

  const searchQuery = z
    .object({
      q: z
        .string()
        .trim()
        .min(1, "must not be empty")
        .max(limits.maxQueryLength)
        .refine(noControlChars, "must not contain control characters"),
      limit: z.coerce.number().int().min(1).max(limits.maxPageSize).default(limits.defaultPageSize),
      cursor: z.string().min(1).max(1_024).optional(),
      mode: z.enum(SEARCH_MODES).default("websearch"),
      classification: z.enum(CLASSIFICATIONS).optional(),
      /** `<field>` or `-<field>`: order by a structured field instead of by rank. */
      sort: z
        .string()
        .regex(SORT, "must be a field name, or `-` and a field name for descending order")
        .optional(),
    })
    // `filter.<field>=<value>` parameters; everything else is unknown.
    .catchall(z.string().max(1_000))
    .transform((raw, ctx) => {
      const { q, limit, cursor, mode, classification, sort: sortParam, ...rest } = raw;
      const filters: Record<string, string> = {};
      for (const [key, value] of Object.entries(rest)) {
        const name = key.startsWith("filter.") ? key.slice("filter.".length) : undefined;
        if (name === undefined || !FIELD_NAME.test(name)) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: "is not a known parameter (field filters are filter.<field>=<value>)",
          });
          continue;
        }
        filters[name] = value;
      }
      const sort = sortParam
        ? sortParam.startsWith("-")
          ? { field: sortParam.slice(1), descending: true }
          : { field: sortParam, descending: false }
        : undefined;
      return { q, limit, cursor, mode, classification, filters, sort };
    });

  const createKeyInput = z.strictObject({ role: z.enum(ROLES) });

  const subjectId = z
    .string()
    .min(1)
    .max(256)
    .refine(noControlChars, "must not contain control characters");

  /** `from` and `to` (ISO 8601): the period [from, to). @default the last 30 days */
  const reportQuery = z
    .strictObject({
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
    })
    .transform((q, ctx) => {
      const to = q.to ? new Date(q.to) : new Date();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
      if (from >= to) {
        ctx.addIssue({ code: "custom", path: ["from"], message: "must be before `to`" });
      }
      return { from, to };
    });

  return {
    documentInput,
    bulkInput,
    documentId,
    searchQuery,
    createKeyInput,
    subjectId,
    reportQuery,
  };
}

export type Schemas = ReturnType<typeof createSchemas>;
export type DocumentInput = z.output<Schemas["documentInput"]>;
export type SearchRequest = z.output<Schemas["searchQuery"]>;

/** How a document's parts are classified, and what of it this response masked. */
export const classificationMetaSchema = z.object({
  classification: z.object({
    /** The document's own classification (title, body, subject, unnamed fields). */
    document: z.enum(CLASSIFICATIONS),
    /** Each structured field's classification (a masking rule's, or the document's). */
    fields: z.record(z.string(), z.enum(CLASSIFICATIONS)),
  }),
  /** The parts masked for the caller's role: `title`, `body`/`snippet`, `subjectId`, `fields.<name>`. */
  masked: z.array(z.string()),
});
export type ClassificationMeta = z.infer<typeof classificationMetaSchema>;

/** A stored document, as the API returns it (masked for the caller's role). */
export const documentSchema = z.object({
  id: z.uuid(),
  externalId: z.string(),
  title: z.string(),
  body: z.string(),
  fields: z.record(z.string(), fieldValue),
  classification: z.enum(CLASSIFICATIONS),
  subjectId: z.string().nullable(),
  version: z.int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  meta: classificationMetaSchema,
});
export type Document = z.infer<typeof documentSchema>;

export const searchHitSchema = z.object({
  id: z.uuid(),
  externalId: z.string(),
  title: z.string(),
  /** An excerpt of the body, HTML-escaped, with the matched words in `<mark>`. */
  snippet: z.string(),
  rank: z.number(),
  classification: z.enum(CLASSIFICATIONS),
  fields: z.record(z.string(), fieldValue),
  subjectId: z.string().nullable(),
  updatedAt: z.iso.datetime(),
  meta: classificationMetaSchema,
});
export type SearchHit = z.infer<typeof searchHitSchema>;

export const searchResponseSchema = z.object({
  /**
   * This page: how many results, and the classifications it shows unmasked and masked. First
   * in the serialized body, so the audit trail reads it from a cached response without parsing.
   */
  page: z.object({
    count: z.int().nonnegative(),
    classifications: z.array(z.enum(CLASSIFICATIONS)),
    masked: z.array(z.enum(CLASSIFICATIONS)),
  }),
  results: z.array(searchHitSchema),
  /** Every match of the query (counted on the first page, carried by the cursor after it). */
  total: z.int().nonnegative(),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  /**
   * Only on an answer served while PostgreSQL could not answer: the tenant's last good answer to
   * the same search, stored at `storedAt` (also `X-Degraded: stale`, `X-Cache: stale`).
   */
  meta: z.object({ stale: z.literal(true), storedAt: z.iso.datetime() }).optional(),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

/** One item of a bulk request's answer, in request order. */
export const bulkItemResultSchema = z.object({
  index: z.int().nonnegative(),
  externalId: z.string().nullable(),
  /** 201 created, 200 replaced or unchanged, 400 invalid. */
  status: z.union([z.literal(200), z.literal(201), z.literal(400)]),
  result: z.enum(["created", "updated", "unchanged", "invalid"]),
  id: z.uuid().optional(),
  error: z.object({ code: z.literal("validation_error"), message: z.string() }).optional(),
});
export type BulkItemResult = z.infer<typeof bulkItemResultSchema>;

export const bulkResponseSchema = z.object({
  errors: z.boolean(),
  items: z.array(bulkItemResultSchema),
});
export type BulkResponse = z.infer<typeof bulkResponseSchema>;

export const apiKeyCreatedSchema = z.object({
  id: z.uuid(),
  apiKey: z.string(),
  role: z.enum(ROLES),
});
export type ApiKeyCreated = z.infer<typeof apiKeyCreatedSchema>;
