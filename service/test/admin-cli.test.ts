import { TestEnvironment, type TestServer } from "./support/environment";

const env = new TestEnvironment();
let server: TestServer;

beforeAll(async () => {
  await env.setUp();
  server = await env.startServer();
});
afterAll(() => env.tearDown());

function admin(...argv: string[]) {
  return env.admin(argv, { settings: {} });
}

describe("admin CLI", () => {
  it("creates a tenant and prints its id and an admin key that works over HTTP", async () => {
    const res = await admin("create-tenant", "--name", "Acme", "--tier", "standard");

    expect(res.code).toBe(0);
    const created = JSON.parse(res.stdout);
    expect(Object.keys(created)).toEqual(["tenantId", "apiKey"]);
    const search = await server.get("/v1/search?q=x", created.apiKey);
    expect(search.status).toBe(200);
    expect(search.headers.get("ratelimit-limit")).toBe("100"); // the standard tier's search limit
    expect((await server.post("/v1/keys", { role: "reader" }, created.apiKey)).status).toBe(201);
  });

  it("creates a key with a role, and revokes it", async () => {
    const { tenantId } = JSON.parse(
      (await admin("create-tenant", "--name", "Keys", "--tier", "free")).stdout,
    );

    const made = await admin("create-key", "--tenant", tenantId, "--role", "reader");
    const { apiKey, keyId } = JSON.parse(made.stdout);
    const asReader = await server.get("/v1/search?q=x", apiKey);
    const writeAttempt = await server.post(
      "/v1/documents",
      { externalId: "a", title: "b", body: "c" },
      apiKey,
    );
    const revoked = await admin("revoke-key", "--tenant", tenantId, "--key", keyId);

    expect(made.code).toBe(0);
    expect(asReader.status).toBe(200);
    expect(writeAttempt.status).toBe(403);
    expect([revoked.code, revoked.stdout]).toEqual([0, '{"revoked":true}']);
  });

  it.each([
    [
      ["create-tenant", "--name", "X"],
      '--tier: Invalid option: expected one of "free"|"standard"|"enterprise"',
    ],
    [["create-key", "--tenant", "nope", "--role", "reader"], '--tenant: Invalid UUID, got "nope"'],
    [["drop-everything"], 'unknown command "drop-everything"'],
  ])("exits 2 with a usage message for %j", async (argv, message) => {
    const res = await admin(...argv);
    expect(res.code).toBe(2);
    expect(res.stderr.split("\n")[0]).toBe(message);
    expect(res.stderr).toContain("usage:");
  });

  it("exits 1 when the tenant does not exist", async () => {
    const res = await admin(
      "create-key",
      "--tenant",
      "00000000-0000-4000-8000-000000000000",
      "--role",
      "admin",
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      "create-key failed: no tenant with id 00000000-0000-4000-8000-000000000000",
    );
  });
});
