/**
 * Classification and masking through the API, per role: document reads, search results and
 * their snippets, filters, sorts and the search itself. Under the HIPAA preset (pii, phi and pci
 * masked for roles not cleared) with the default clearances: admin sees pii and phi, writer pii,
 * auditor confidential, reader public and internal only; nobody is cleared for pci.
 */
import { doc, TestEnvironment, type Body, type TestServer } from "../support/environment";

const env = new TestEnvironment();
let server: TestServer;

beforeAll(async () => {
  await env.setUp();
  server = await env.startServer({
    settings: {
      governance: { compliancePreset: "hipaa" },
      // Every test makes new keys; each one's first request is charged to the client IP.
      rateLimits: { perIpPerMinute: 100_000 },
    },
  });
});
afterAll(() => env.tearDown());

const SSN = "123-45-6789";
const CARD = "4111 1111 1111 1111";

/** A tenant with one document of each kind, and a key per role. */
async function tenant() {
  const t = await env.createTenant();
  const keys = {
    admin: t.adminKey,
    writer: await t.key("writer"),
    reader: await t.key("reader"),
    auditor: await t.key("auditor"),
  };
  const put = async (d: object) => {
    const res = await server.post("/v1/documents", d, keys.admin);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const patient = await put(
    doc(
      "patient-1",
      `Intake of Jane, SSN ${SSN}`,
      `Jane Roe (SSN ${SSN}, jane.roe@example.com, (555) 123-4567) paid with card ${CARD}. Her MRN: 00123456.`,
      {
        classification: "internal",
        subjectId: "subject-jane",
        fields: {
          ssn: SSN,
          email: "jane.roe@example.com",
          phone: "555-123-4567",
          mrn: "MRN00123456",
          diagnosis: "hypertension",
          cardNumber: "4111111111111111",
          department: "cardiology",
        },
      },
    ),
  );
  const medical = await put(
    doc("chart-1", "Oncology chart", "Chemotherapy cycle three for the intake patient.", {
      classification: "phi",
      subjectId: "subject-jane",
      fields: { ward: "4B" },
    }),
  );
  return { keys, patient, medical };
}

const read = (id: string, key: string) => server.get<Body>(`/v1/documents/${id}`, key);
const search = (key: string, params: Record<string, string>) =>
  server.get<Body>(`/v1/search?${new URLSearchParams(params)}`, key);

describe("masking by role", () => {
  it("masks a reader's document read: classified fields by their strategy, values typed into the title and body, the subject", async () => {
    const { keys, patient } = await tenant();

    const res = await read(patient, keys.reader);

    expect(res.status).toBe(200);
    expect(res.body.fields).toEqual({
      ssn: "***-**-6789",
      email: "j***@example.com",
      phone: "***-***-4567",
      mrn: "****3456",
      diagnosis: "[REDACTED]",
      cardNumber: "****1111",
      department: "cardiology",
    });
    expect(res.body.title).toBe("Intake of Jane, SSN ***-**-6789");
    expect(res.body.body).toBe(
      "Jane Roe (SSN ***-**-6789, j***@example.com, ***-***-4567) paid with card ****1111. Her MRN: ****3456.",
    );
    expect(res.body.subjectId).toBe("[REDACTED]");
    expect(res.text).not.toMatch(/123-45|jane\.roe|123-4567|4111 1111|00123456|hypertension/);
  });

  it("says how each part is classified and what was masked", async () => {
    const { keys, patient } = await tenant();

    const res = await read(patient, keys.reader);

    expect(res.body.meta).toEqual({
      classification: {
        document: "internal",
        fields: {
          ssn: "pii",
          email: "pii",
          phone: "pii",
          mrn: "phi",
          diagnosis: "phi",
          cardNumber: "pci",
          department: "internal",
        },
      },
      masked: expect.arrayContaining([
        "title",
        "body",
        "subjectId",
        "fields.ssn",
        "fields.email",
        "fields.phone",
        "fields.mrn",
        "fields.diagnosis",
        "fields.cardNumber",
      ]),
    });
    expect(res.body.meta.masked).not.toContain("fields.department");
  });

  it.each([
    ["admin", { ssn: SSN, mrn: "MRN00123456", cardNumber: "****1111" }, "Her MRN: 00123456"],
    ["writer", { ssn: SSN, mrn: "****3456", cardNumber: "****1111" }, "Her MRN: ****3456"],
  ] as const)(
    "shows the %s what its clearances allow and masks the rest",
    async (role, fields, mrnInBody) => {
      const { keys, patient } = await tenant();

      const res = await read(patient, keys[role]);

      expect(res.body.fields).toMatchObject(fields);
      expect(res.body.body).toContain(`SSN ${SSN}`);
      expect(res.body.body).toContain(mrnInBody);
      // pci: no role is cleared for it under the default clearances.
      expect(res.body.body).toContain("card ****1111");
      expect(res.body.subjectId).toBe("subject-jane");
    },
  );

  it("redacts a whole document whose classification the role may not see, but keeps its shape", async () => {
    const { keys, medical } = await tenant();

    const reader = await read(medical, keys.reader);
    const admin = await read(medical, keys.admin);

    expect(reader.body).toMatchObject({
      id: medical,
      externalId: "chart-1",
      classification: "phi",
      title: "[REDACTED]",
      body: "[REDACTED]",
      subjectId: "[REDACTED]",
      fields: { ward: "[REDACTED]" },
    });
    expect(reader.text).not.toMatch(/Oncology|Chemotherapy|4B/);
    expect(admin.body.title).toBe("Oncology chart");
  });

  it("masks the document a write returns for the writer's role too", async () => {
    const { keys } = await tenant();

    const res = await server.post(
      "/v1/documents",
      doc("w-1", "Referral", "Diagnosis attached.", { fields: { diagnosis: "asthma" } }),
      keys.writer,
    );

    expect(res.status).toBe(201);
    expect(res.body.fields.diagnosis).toBe("[REDACTED]");
  });
});

describe("masking in search", () => {
  it("masks hits and their snippets, including an SSN typed into the body", async () => {
    const { keys } = await tenant();

    const res = await search(keys.reader, { q: "paid card" });

    expect(res.status).toBe(200);
    const [hit] = res.body.results;
    expect(hit.externalId).toBe("patient-1");
    expect(hit.snippet).toContain("***-**-6789");
    expect(hit.snippet).toContain("<mark>paid</mark>");
    expect(hit.title).toBe("Intake of Jane, SSN ***-**-6789");
    expect(hit.fields.ssn).toBe("***-**-6789");
    expect(hit.meta.masked).toEqual(expect.arrayContaining(["title", "snippet", "fields.ssn"]));
    expect(res.text).not.toMatch(/123-45|jane\.roe|123-4567|4111 1111|00123456|hypertension/);
  });

  it("summarizes the page's classifications, shown and masked", async () => {
    const { keys } = await tenant();

    const res = await search(keys.reader, { q: "paid" });

    expect(res.body.page).toEqual({
      count: 1,
      classifications: expect.arrayContaining(["internal"]),
      masked: expect.arrayContaining(["pii", "phi", "pci"]),
    });
  });

  it("never highlights a masked value, whatever part of it the query matches", async () => {
    const { keys } = await tenant();

    // "6789" is the SSN's last group and stays visible in the mask; "123" is its first.
    const res = await search(keys.reader, { q: "paid OR 6789 OR 123" });

    const [hit] = res.body.results;
    expect(hit.snippet).toContain("<mark>paid</mark>");
    expect(hit.snippet).toContain("***-**-");
    expect(hit.snippet.replaceAll("<mark>", "").replaceAll("</mark>", "")).not.toContain("123-45");
  });

  it("caches per role: the reader's masked answer is never served to the admin, nor the reverse", async () => {
    const { keys } = await tenant();

    const first = await search(keys.admin, { q: "paid" });
    const reader = await search(keys.reader, { q: "paid" });
    const again = await search(keys.admin, { q: "paid" });

    expect(first.body.results[0].fields.ssn).toBe(SSN);
    expect(reader.body.results[0].fields.ssn).toBe("***-**-6789");
    expect(again.headers.get("x-cache")).toBe("hit");
    expect(again.body.results[0].fields.ssn).toBe(SSN);
  });

  it("neither matches nor counts documents of a classification the role may not see", async () => {
    const { keys } = await tenant();

    const reader = await search(keys.reader, { q: "intake" });
    const admin = await search(keys.admin, { q: "intake" });

    expect(reader.body.results.map((r: Body) => r.externalId)).toEqual(["patient-1"]);
    expect(reader.body.total).toBe(1);
    expect(new Set(admin.body.results.map((r: Body) => r.externalId))).toEqual(
      new Set(["patient-1", "chart-1"]),
    );
  });

  it("refuses a reader's search for a full SSN (403), so it cannot confirm the SSN is on file", async () => {
    const { keys } = await tenant();

    const res = await search(keys.reader, { q: SSN });

    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      "The query contains what looks like a social security number (pii): the reader role does not see pii data unmasked, so it may not search for it.",
    );
  });

  it.each([[`"${SSN}"`], ["123 45 6789"], ["jane.roe@example.com"], ["555-123-4567"]])(
    "finds nothing for %s even for the admin: sensitive values are kept out of the index",
    async (q) => {
      const { keys } = await tenant();

      const res = await search(keys.admin, { q });

      expect(res.status).toBe(200);
      expect(res.body.total).toBe(0);
    },
  );

  it("finds nothing for an SSN in fuzzy title search either", async () => {
    const { keys } = await tenant();

    const res = await search(keys.admin, { q: SSN, mode: "fuzzy" });

    expect(res.body.total).toBe(0);
  });
});

describe("filters, sorts and classifications the role may not see", () => {
  it.each([
    [{ q: "intake", "filter.ssn": SSN }, "filter on `ssn`: it is pii data"],
    [{ q: "intake", sort: "ssn" }, "sort by `ssn`: it is pii data"],
    [{ q: "intake", sort: "-diagnosis" }, "sort by `diagnosis`: it is phi data"],
  ])("refuses a reader's %j with 403", async (params, what) => {
    const { keys } = await tenant();

    const res = await search(keys.reader, params);

    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      `The reader role may not ${what}, which this role sees masked.`,
    );
  });

  it("refuses asking for documents of a classification the role may not see", async () => {
    const { keys } = await tenant();

    const res = await search(keys.reader, { q: "intake", classification: "phi" });

    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      "The reader role may not search phi documents: it sees phi data masked.",
    );
  });

  it("lets a cleared role filter on a classified field", async () => {
    const { keys } = await tenant();

    const hit = await search(keys.writer, { q: "intake", "filter.ssn": SSN });
    const miss = await search(keys.writer, { q: "intake", "filter.ssn": "000-00-0000" });

    expect(hit.body.results.map((r: Body) => r.externalId)).toEqual(["patient-1"]);
    expect(miss.body.total).toBe(0);
  });

  it("lets a role filter and sort on fields it sees, paging through sorted results exactly once", async () => {
    const { adminKey } = await env.createTenant();
    const priority = (i: number) => (i * 7) % 23; // a permutation of 0..22
    const documents = Array.from({ length: 23 }, (_, i) =>
      doc(`s-${i}`, "Sorted", "sortable words", {
        fields: { priority: priority(i), team: i % 2 === 0 ? "red" : "blue" },
      }),
    );
    await server.post("/v1/documents/bulk", { documents }, adminKey);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const params: Record<string, string> = { q: "sortable", sort: "-priority", limit: "5" };
      if (cursor) params.cursor = cursor;
      const page: { body: Body } = await search(adminKey, params);
      seen.push(...page.body.results.map((r: Body) => r.fields.priority as number));
      cursor = page.body.nextCursor;
    } while (cursor);
    const red = await search(adminKey, { q: "sortable", "filter.team": "red", sort: "priority" });

    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => 22 - i));
    const evens = Array.from({ length: 12 }, (_, k) => priority(2 * k));
    expect(red.body.results.map((r: Body) => r.fields.priority)).toEqual(
      evens.sort((a, b) => a - b),
    );
  });
});
