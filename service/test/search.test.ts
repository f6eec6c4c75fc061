import { doc, TestEnvironment, type TestServer } from "./support/environment";

const env = new TestEnvironment();
let server: TestServer;

beforeAll(async () => {
  await env.setUp();
  server = await env.startServer();
});
afterAll(() => env.tearDown());

async function tenantWith(documents: object[]): Promise<string> {
  const { adminKey: key } = await env.createTenant();
  const res = await server.post("/v1/documents/bulk", { documents }, key);
  expect(res.body.errors).toBe(false);
  return key;
}

const search = (key: string, params: Record<string, string>) =>
  server.get(`/v1/search?${new URLSearchParams(params)}`, key);
const externalIds = (res: { body: { results: { externalId: string }[] } }) =>
  res.body.results.map((r) => r.externalId);

describe("search", () => {
  it("ranks a match in the title above a match in the body only", async () => {
    const key = await tenantWith([
      doc("body-only", "Astronomy notes", "A solar eclipse darkened the sky over the valley."),
      doc("title", "Solar panels", "How photovoltaic panels turn light into power."),
      doc("unrelated", "Gardening", "Tomatoes need sun and water."),
    ]);

    const res = await search(key, { q: "solar" });

    expect(res.status).toBe(200);
    expect(externalIds(res)).toEqual(["title", "body-only"]);
    expect(res.body.total).toBe(2);
    expect(res.body.results[0].rank).toBeGreaterThan(res.body.results[1].rank);
  });

  it("understands web-search syntax: quoted phrases, OR and -exclusion", async () => {
    const key = await tenantWith([
      doc("phrase", "Energy", "Rooftop solar panels pay for themselves."),
      doc("reversed", "Energy", "Panels of experts discussed solar policy."),
      doc("wind", "Energy", "Wind turbines spin offshore."),
      doc("eclipse", "Sky", "A solar eclipse is rare."),
    ]);

    expect(externalIds(await search(key, { q: '"solar panels"' }))).toEqual(["phrase"]);
    expect(new Set(externalIds(await search(key, { q: "turbines OR eclipse" })))).toEqual(
      new Set(["wind", "eclipse"]),
    );
    expect(new Set(externalIds(await search(key, { q: "solar -eclipse" })))).toEqual(
      new Set(["phrase", "reversed"]),
    );
  });

  it("treats quotes, semicolons and SQL keywords in a query as text to search for", async () => {
    const key = await tenantWith([
      doc("sql", "SQL primer", "Use SELECT to read rows and DROP TABLE with care."),
      doc("other", "Cooking", "Boil the pasta."),
      doc("bobby", "School records", "Robert'); DROP TABLE students;-- is his name."),
    ]);

    const hostile = await search(key, { q: "Robert'); DROP TABLE students;--" });
    const keywords = await search(key, { q: "select drop table" });

    expect(hostile.status).toBe(200);
    expect(externalIds(hostile)).toEqual(["bobby"]);
    expect(externalIds(keywords)).toEqual(["sql"]);
    expect((await search(key, { q: "pasta" })).body.total).toBe(1); // the table is still there
  });

  it("returns nothing, not an error, for a query of stop words only", async () => {
    const key = await tenantWith([doc("a", "The", "the and of")]);
    const res = await search(key, { q: "the of" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      page: { count: 0, classifications: [], masked: [] },
      results: [],
      total: 0,
      nextCursor: null,
    });
  });

  it("highlights matches in a snippet that carries no markup from the document", async () => {
    const key = await tenantWith([
      doc(
        "xss",
        "Markup",
        'Beware <script>alert("x")</script> when 1 < 2 & 3 > 2 near the harbour.',
      ),
    ]);

    const [hit] = (await search(key, { q: "harbour" })).body.results;

    expect(hit.snippet).toContain("<mark>harbour</mark>");
    expect(hit.snippet).toContain("alert(&quot;x&quot;)");
    expect(hit.snippet).toContain("1 &lt; 2 &amp; 3 &gt; 2");
    expect(hit.snippet.replaceAll("<mark>", "").replaceAll("</mark>", "")).not.toMatch(/[<>]/);
  });

  it("filters on structured fields and classification", async () => {
    const key = await tenantWith([
      doc("news-1", "Rates", "interest rates rise", { fields: { category: "news" } }),
      doc("blog-1", "Rates", "interest rates explained", { fields: { category: "blog" } }),
      doc("news-2", "Rates", "interest rates fall", {
        fields: { category: "news" },
        classification: "confidential",
      }),
    ]);

    expect(
      new Set(externalIds(await search(key, { q: "interest", "filter.category": "news" }))),
    ).toEqual(new Set(["news-1", "news-2"]));
    expect(
      externalIds(
        await search(key, {
          q: "interest",
          "filter.category": "news",
          classification: "confidential",
        }),
      ),
    ).toEqual(["news-2"]);
  });

  it("finds words by prefix in prefix mode and misspelt titles in fuzzy mode", async () => {
    const key = await tenantWith([
      doc("solar", "Solar panels", "Photovoltaics on the roof."),
      doc("garden", "Garden hoses", "Watering tips."),
    ]);

    expect(externalIds(await search(key, { q: "photovolt", mode: "prefix" }))).toEqual(["solar"]);
    expect(externalIds(await search(key, { q: "slar panles", mode: "fuzzy" }))).toEqual(["solar"]);
  });

  it("pages through every match exactly once, in rank order, ties included", async () => {
    const documents = Array.from({ length: 45 }, (_, i) =>
      // Three distinct ranks, fifteen documents each: ties must be broken consistently.
      doc(`p-${i}`, i % 3 === 0 ? "paging" : "notes", `paging ${"filler ".repeat(i % 3)}`),
    );
    const key = await tenantWith(documents);

    const all = await search(key, { q: "paging", limit: "100" });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const params: Record<string, string> = { q: "paging", limit: "7" };
      if (cursor) params.cursor = cursor;
      const page = await search(key, params);
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(45);
      seen.push(...externalIds(page));
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor);

    expect(pages).toBe(7);
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);
    expect(seen).toEqual(externalIds(all));
  });

  it("neither repeats nor skips results when documents are added between pages", async () => {
    const key = await tenantWith(
      Array.from({ length: 10 }, (_, i) => doc(`s-${i}`, "stable", "stable words here")),
    );
    const first = await search(key, { q: "stable", limit: "5" });
    await server.post(
      "/v1/documents/bulk",
      {
        documents: [
          doc("s-new", "stable", "stable words here"),
          doc("s-top", "stable stable", "stable"),
        ],
      },
      key,
    );

    const second = await search(key, { q: "stable", limit: "50", cursor: first.body.nextCursor });

    const firstIds = externalIds(first);
    const rest = externalIds(second);
    expect(rest.filter((id) => firstIds.includes(id))).toEqual([]);
    const originals = new Set([...firstIds, ...rest].filter((id) => /^s-\d$/.test(id)));
    expect(originals.size).toBe(10);
  });

  it("refuses a cursor that was altered, or that belongs to another query", async () => {
    const key = await tenantWith(
      Array.from({ length: 4 }, (_, i) => doc(`c-${i}`, "cursor", "cursor test")),
    );
    const { nextCursor } = (await search(key, { q: "cursor", limit: "2" })).body;
    const [payload, signature] = (nextCursor as string).split(".");
    const decoded = JSON.parse(Buffer.from(payload, "base64url").toString());
    decoded[2] = 99; // a rank of our choosing
    const forged = `${Buffer.from(JSON.stringify(decoded)).toString("base64url")}.${signature}`;

    const altered = await search(key, { q: "cursor", cursor: forged });
    const otherQuery = await search(key, { q: "test", cursor: nextCursor });

    for (const res of [altered, otherQuery]) {
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: "invalid_cursor",
        message: "`cursor` is not a cursor this search returned.",
      });
    }
  });

  it.each([
    [{ q: "" }, 'query.q: must not be empty, got ""'],
    [{ q: "x".repeat(513) }, "query.q: Too big: expected string to have <=512 characters"],
    [{ q: "x", limit: "101" }, 'query.limit: Too big: expected number to be <=100, got "101"'],
    [
      { q: "x", mode: "regex" },
      'query.mode: Invalid option: expected one of "websearch"|"prefix"|"fuzzy", got "regex"',
    ],
    [
      { q: "x", order: "date" },
      'query.order: is not a known parameter (field filters are filter.<field>=<value>), got "date"',
    ],
    [
      { q: "x", sort: "-" },
      'query.sort: must be a field name, or `-` and a field name for descending order, got "-"',
    ],
  ])(
    "rejects invalid search parameters with a message naming them (%#)",
    async (params, message) => {
      const { adminKey: key } = await env.createTenant();
      const res = await search(key, params as Record<string, string>);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: "validation_error", message });
    },
  );
});
