import { doc, TestEnvironment, type TestServer } from "./support/environment";

const env = new TestEnvironment();
let server: TestServer;

beforeAll(async () => {
  await env.setUp();
  server = await env.startServer();
});
afterAll(() => env.tearDown());

describe("documents", () => {
  it("creates a document, reads it back, replaces it by external id and deletes it", async () => {
    const { adminKey: key } = await env.createTenant();

    const created = await server.post(
      "/v1/documents",
      doc("crud-1", "First", "alpha beta", { fields: { lang: "en" } }),
      key,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      externalId: "crud-1",
      title: "First",
      body: "alpha beta",
      fields: { lang: "en" },
      classification: "internal",
      version: 1,
    });
    const id = created.body.id as string;

    const read = await server.get(`/v1/documents/${id}`, key);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const replaced = await server.post(
      "/v1/documents",
      doc("crud-1", "First, revised", "gamma"),
      key,
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id,
      title: "First, revised",
      body: "gamma",
      fields: {},
      version: 2,
    });

    expect((await server.delete(`/v1/documents/${id}`, key)).status).toBe(204);
    const gone = await server.get(`/v1/documents/${id}`, key);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("not_found");
    expect((await server.delete(`/v1/documents/${id}`, key)).status).toBe(404);
  });

  it("leaves a document untouched when the same content is posted again", async () => {
    const { adminKey: key } = await env.createTenant();
    const body = doc("same-1", "Stable", "unchanging text", { classification: "public" });

    const first = await server.post("/v1/documents", body, key);
    const again = await server.post("/v1/documents", body, key);

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body); // same version and updatedAt: nothing was written
  });

  it("writes a bulk request in one go and answers per item, invalid items failing alone", async () => {
    const { adminKey: key } = await env.createTenant();
    await server.post("/v1/documents", doc("bulk-2", "Old", "old text"), key);

    const res = await server.post(
      "/v1/documents/bulk",
      {
        documents: [
          doc("bulk-1", "One", "first"),
          doc("bulk-2", "Two", "second, replacing the old one"),
          { externalId: "bulk-3", title: 42, body: "bad title" },
          doc("bulk-4", "Four", "dup, earlier"),
          doc("bulk-4", "Four", "dup, later"),
        ],
      },
      key,
    );

    expect(res.status).toBe(200);
    expect(res.body.errors).toBe(true);
    expect(
      res.body.items.map((i: { status: number; result: string }) => [i.status, i.result]),
    ).toEqual([
      [201, "created"],
      [200, "updated"],
      [400, "invalid"],
      [400, "invalid"],
      [201, "created"],
    ]);
    expect(res.body.items[2].error.message).toBe(
      "documents[2].title: Invalid input: expected string, received number, got 42",
    );
    expect(res.body.items[3].error.message).toBe(
      "documents[3].externalId: appears again at documents[4], which was written instead",
    );
    const later = await server.get(`/v1/documents/${res.body.items[4].id}`, key);
    expect(later.body.body).toBe("dup, later");
  });

  it("refuses a bulk request with more documents than limits.maxBulkDocuments", async () => {
    const { adminKey: key } = await env.createTenant();
    const documents = Array.from({ length: 501 }, (_, i) => doc(`big-${i}`, "t", "b"));

    const res = await server.post("/v1/documents/bulk", { documents }, key);

    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "body.documents: Too big: expected array to have <=500 items",
    );
  });

  it.each([
    [
      { title: "t", body: "b" },
      "body.externalId: Invalid input: expected string, received undefined",
    ],
    [
      doc("x", "t", "b", { classification: "secret" }),
      'body.classification: Invalid option: expected one of "public"|"internal"|"confidential"|"pii"|"phi"|"pci", got "secret"',
    ],
    [
      doc("x", "t", "b", { fields: { "bad key": 1 } }),
      "body.fields.bad key: must be a field name like `category`",
    ],
    [doc("x", "t", "b", { extra: true }), "body.extra: is not allowed"],
  ])("rejects an invalid document with a message naming the field (%#)", async (input, message) => {
    const { adminKey: key } = await env.createTenant();
    const res = await server.post("/v1/documents", input, key);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "validation_error", message });
  });

  it("answers 400 naming the parameter when a document id is not a UUID", async () => {
    const { adminKey: key } = await env.createTenant();
    const res = await server.get("/v1/documents/not-a-uuid", key);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('params: must be a document id (a UUID), got "not-a-uuid"');
  });
});
