/**
 * PostgreSQL IAM authentication, wired for real against a private PostgreSQL that, like Aurora,
 * takes connections only over TLS and only with a password: the role's password is set to the
 * exact token the AWS SDK's RDS signer produces for the endpoint, user, region, credentials and
 * instant, so a connection succeeds only if the pool hands over that token. What no test here
 * can show is AWS accepting it (see the README, "IAM authentication").
 */
import { rmSync } from "node:fs";
import { Signer } from "@aws-sdk/rds-signer";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Pool } from "pg";
import { createPool } from "../../src/adapters/postgres/database";
import { parseServiceSettings } from "../../src/config";
import { atInstant } from "../support/frozen-date";
import { PrivatePostgres, temporaryDirectory } from "../support/private-servers";
import { createTestPki, type TestPki } from "../support/test-pki";

const REGION = "eu-west-1";
const CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE",
};
const T0 = Date.parse("2026-03-04T05:06:07Z");
const MINUTE = 60_000;
const DATABASE = "search_iam";

const settings = parseServiceSettings({
  postgres: { auth: "iam", sslMode: "verify-full", writerPoolMax: 8, connectionTimeoutMs: 5_000 },
});

/** The AWS SDK's token for this endpoint and user at `instant` (the Date is frozen meanwhile). */
function sdkToken(port: number, user: string, instant: number): Promise<string> {
  const signer = new Signer({
    hostname: "localhost",
    port,
    username: user,
    region: REGION,
    credentials: CREDENTIALS,
  });
  return atInstant(instant, () => signer.getAuthToken());
}

describe("PostgreSQL IAM authentication against a server that demands TLS and a password", () => {
  let dir = "";
  let pki: TestPki;
  let server: PrivatePostgres;
  const pools: Pool[] = [];

  beforeAll(async () => {
    dir = temporaryDirectory("search-iam-pki-");
    pki = createTestPki(dir, ["localhost"]);
    server = await PrivatePostgres.start(pki);
    await server.asSuperuser(async (c) => {
      await c.query(`CREATE DATABASE ${DATABASE}`);
      await c.query("CREATE ROLE iam_app LOGIN");
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const setPassword = (token: string) =>
    server.asSuperuser((c) => c.query(`ALTER ROLE iam_app PASSWORD ${c.escapeLiteral(token)}`));

  /** A pool as the service builds it, on a clock the test moves; counts credential lookups. */
  function iamPool(host: string, clock: { now: number }) {
    const lookups: unknown[] = [];
    const pool = createPool(
      { host, port: server.port, user: "iam_app", password: undefined, database: DATABASE },
      settings,
      {
        name: "writer",
        sslRootCertPath: pki.caFile,
        iam: {
          region: REGION,
          credentials: async (request) => {
            lookups.push(request ?? {});
            return CREDENTIALS;
          },
          now: () => clock.now,
        },
      },
    );
    pool.on("error", () => undefined);
    pools.push(pool);
    return { pool, lookups };
  }

  /** `n` queries at once, each on its own connection (they overlap), with what the server saw. */
  const sessions = (pool: Pool, n: number) =>
    Promise.all(
      Array.from({ length: n }, () =>
        pool.query<{ who: string; ssl: boolean; pid: number }>(
          `SELECT current_user AS who, s.ssl, s.pid
             FROM pg_stat_ssl s, pg_sleep(0.2) WHERE s.pid = pg_backend_pid()`,
        ),
      ),
    ).then((results) => results.map((r) => r.rows[0]));

  it("connects every pooled connection as PGUSER with the SDK's token for the endpoint, over TLS, signing once", async () => {
    await setPassword(await sdkToken(server.port, "iam_app", T0));
    const { pool, lookups } = iamPool("localhost", { now: T0 });

    const seen = await sessions(pool, 8);

    expect(seen.map(({ who, ssl }) => ({ who, ssl }))).toEqual(
      Array(8).fill({ who: "iam_app", ssl: true }),
    );
    expect(new Set(seen.map((s) => s.pid)).size).toBe(8);
    expect(lookups).toHaveLength(1);
  });

  it("authenticates new connections with a newly signed token once the cached one is 10 minutes old, keeping open ones", async () => {
    const clock = { now: T0 };
    await setPassword(await sdkToken(server.port, "iam_app", T0));
    const { pool, lookups } = iamPool("localhost", clock);
    const first = await sessions(pool, 2);

    clock.now = T0 + 10 * MINUTE + 1_000;
    // From now on the server accepts only the new token: the old one would fail a new connection.
    await setPassword(await sdkToken(server.port, "iam_app", clock.now));
    const second = await sessions(pool, 4);

    const firstPids = new Set(first.map((s) => s.pid));
    expect(second.filter((s) => firstPids.has(s.pid))).toHaveLength(2);
    expect(second.every((s) => s.who === "iam_app" && s.ssl)).toBe(true);
    expect(lookups).toHaveLength(2);
  });

  it("never sends a token to a server whose certificate does not name the host dialled (verify-full)", async () => {
    await setPassword(await sdkToken(server.port, "iam_app", T0));
    // The certificate names "localhost" only.
    const { pool, lookups } = iamPool("127.0.0.1", { now: T0 });

    await expect(pool.query("SELECT 1")).rejects.toThrow(
      "Hostname/IP does not match certificate's altnames",
    );
    expect(lookups).toHaveLength(0);
  });

  it("is refused when the token is not the one the server expects (the password really is checked)", async () => {
    await setPassword(await sdkToken(server.port, "iam_app", T0 - 60 * MINUTE));
    const { pool } = iamPool("localhost", { now: T0 });

    await expect(pool.query("SELECT 1")).rejects.toThrow(
      'password authentication failed for user "iam_app"',
    );
  });
});
