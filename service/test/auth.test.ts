import { doc, TestEnvironment, type TestServer } from "./support/environment";

const env = new TestEnvironment();
let server: TestServer;

beforeAll(async () => {
  await env.setUp();
  server = await env.startServer();
});
afterAll(() => env.tearDown());

/** Repeats `probe` until it returns true, at most `attempts` times (pub/sub is asynchronous). */
async function eventually(probe: () => Promise<boolean>, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await probe()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

describe("authentication", () => {
  it.each([
    ["no Authorization header", {}, "Send an API key: `Authorization: Bearer <key>`."],
    [
      "a header that is not Bearer",
      { authorization: "Basic dXNlcjpwYXNz" },
      "The Authorization header must be `Bearer <key>`.",
    ],
    [
      "an unknown key",
      { authorization: `Bearer sk_${"A".repeat(43)}` },
      "The API key is unknown or revoked.",
    ],
    [
      "a malformed key",
      { authorization: "Bearer not-a-key" },
      "The API key is unknown or revoked.",
    ],
  ])("answers 401 to a request with %s", async (_name, headers, message) => {
    const res = await server.request("GET", "/v1/search?q=x", { headers });

    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="search"');
    expect(res.body).toEqual({
      error: { code: "unauthenticated", message, requestId: res.headers.get("x-request-id") },
    });
  });

  it.each([
    ["reader", "POST", "/v1/documents", "The reader role may not write documents."],
    [
      "reader",
      "DELETE",
      "/v1/documents/00000000-0000-4000-8000-000000000000",
      "The reader role may not delete documents.",
    ],
    ["writer", "POST", "/v1/keys", "The writer role may not manage API keys."],
    ["auditor", "POST", "/v1/documents/bulk", "The auditor role may not write documents."],
  ] as const)("answers 403 when a %s key tries %s %s", async (role, method, path, message) => {
    const tenant = await env.createTenant();
    const key = await tenant.key(role);

    const res = await server.request(method, path, { key, json: { role: "reader" } });

    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "forbidden", message });
  });

  it("lets a reader search and read but nothing else", async () => {
    const tenant = await env.createTenant();
    const created = await server.post(
      "/v1/documents",
      doc("r1", "Readable", "readable text"),
      tenant.adminKey,
    );
    const reader = await tenant.key("reader");

    expect((await server.get("/v1/search?q=readable", reader)).body.total).toBe(1);
    expect((await server.get(`/v1/documents/${created.body.id}`, reader)).status).toBe(200);
  });

  it("lets an admin create a key over HTTP that works at once with its role", async () => {
    const tenant = await env.createTenant();

    const created = await server.post("/v1/keys", { role: "writer" }, tenant.adminKey);
    const write = await server.post(
      "/v1/documents",
      doc("k1", "By key", "written"),
      created.body.apiKey,
    );

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: "writer", apiKey: expect.stringMatching(/^sk_/) });
    expect(write.status).toBe(201);
  });

  it("refuses a revoked key at once on the replica that revoked it and soon after on every other", async () => {
    const tenant = await env.createTenant();
    const other = await env.startServer();
    const { body: key } = await server.post("/v1/keys", { role: "reader" }, tenant.adminKey);
    // Both replicas have validated (and cached) the key.
    expect((await server.get("/v1/search?q=x", key.apiKey)).status).toBe(200);
    expect((await other.get("/v1/search?q=x", key.apiKey)).status).toBe(200);

    const revoked = await server.delete(`/v1/keys/${key.id}`, tenant.adminKey);

    expect(revoked.status).toBe(204);
    expect((await server.get("/v1/search?q=x", key.apiKey)).status).toBe(401);
    expect(
      await eventually(async () => (await other.get("/v1/search?q=x", key.apiKey)).status === 401),
    ).toBe(true);
    expect((await server.delete(`/v1/keys/${key.id}`, tenant.adminKey)).status).toBe(404);
  });

  it("cannot revoke another tenant's key", async () => {
    const a = await env.createTenant();
    const b = await env.createTenant();
    const { body: keyOfB } = await server.post("/v1/keys", { role: "reader" }, b.adminKey);

    expect((await server.delete(`/v1/keys/${keyOfB.id}`, a.adminKey)).status).toBe(404);
    expect((await server.get("/v1/search?q=x", keyOfB.apiKey)).status).toBe(200);
  });
});
