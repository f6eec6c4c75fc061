import { Signer } from "@aws-sdk/rds-signer";
import type { AwsCredentialIdentity } from "@smithy/types";
import { signElastiCacheAuthToken, signRdsAuthToken } from "../../src/adapters/aws/auth-token";
import { AuthTokenSource } from "../../src/adapters/aws/auth-token-source";
import { atInstant } from "../support/frozen-date";
import { referencePresign } from "../support/sigv4-reference";

// AWS's documentation example keys: fixed inputs make every token reproducible.
const SESSION: AwsCredentialIdentity = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE/+token=",
};
const STATIC: AwsCredentialIdentity = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const INSTANT = new Date("2026-03-04T05:06:07.000Z");
const REGION = "eu-west-1";
const WRITER = { host: "search-prod.cluster-abc123.eu-west-1.rds.amazonaws.com", port: 5432 };

function sdkRdsToken(credentials: AwsCredentialIdentity, user = "search_app"): Promise<string> {
  return atInstant(INSTANT, () =>
    new Signer({
      hostname: WRITER.host,
      port: WRITER.port,
      username: user,
      region: REGION,
      credentials,
    }).getAuthToken(),
  );
}

describe("RDS IAM auth tokens", () => {
  it.each([
    ["session credentials (Pod Identity)", SESSION],
    ["long-term credentials", STATIC],
  ])(
    "are exactly the AWS SDK's token for the same endpoint, user and instant, with %s",
    async (_k, credentials) => {
      const ours = await signRdsAuthToken(
        { ...WRITER, user: "search_app" },
        { region: REGION, credentials, signingDate: INSTANT },
      );

      expect(ours).toBe(await sdkRdsToken(credentials));
    },
  );

  it("have the documented form: the endpoint with its port, connect as DBUser, 900 seconds, the host header signed", async () => {
    const token = await signRdsAuthToken(
      { ...WRITER, user: "search_app" },
      { region: REGION, credentials: SESSION, signingDate: INSTANT },
    );

    expect(token.startsWith(`${WRITER.host}:5432/?Action=connect&DBUser=search_app&`)).toBe(true);
    const url = new URL(`https://${token}`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: "connect",
      DBUser: "search_app",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": `${SESSION.accessKeyId}/20260304/eu-west-1/rds-db/aws4_request`,
      "X-Amz-Date": "20260304T050607Z",
      "X-Amz-Expires": "900",
      "X-Amz-Security-Token": SESSION.sessionToken,
      "X-Amz-SignedHeaders": "host",
      "X-Amz-Signature": expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it("are what the independent reference presigner computes (which the ElastiCache checks rely on)", async () => {
    const reference = referencePresign({
      service: "rds-db",
      region: REGION,
      host: `${WRITER.host}:${WRITER.port}`,
      query: { Action: "connect", DBUser: "search_app" },
      credentials: SESSION,
      signingDate: INSTANT,
      expiresInSeconds: 900,
    });

    expect(reference).toBe(await sdkRdsToken(SESSION));
  });
});

describe("ElastiCache IAM auth tokens", () => {
  const group = "search-prod";
  const user = "search-prod-app";
  const sign = (overrides: Partial<{ group: string; user: string; region: string; at: Date }>) =>
    signElastiCacheAuthToken(
      { replicationGroupId: overrides.group ?? group, userId: overrides.user ?? user },
      {
        region: overrides.region ?? REGION,
        credentials: SESSION,
        signingDate: overrides.at ?? INSTANT,
      },
    );

  it("follow AWS's procedure: GET http://<replication group>/?Action=connect&User=<user id>, SigV4-presigned for elasticache, 900 seconds, without the scheme", async () => {
    const reference = referencePresign({
      service: "elasticache",
      region: REGION,
      host: group,
      query: { Action: "connect", User: user },
      credentials: SESSION,
      signingDate: INSTANT,
      expiresInSeconds: 900,
    });

    const token = await sign({});

    expect(token).toBe(reference);
    expect(token).toMatch(
      new RegExp(
        `^${group}/\\?Action=connect&User=${user}&X-Amz-Algorithm=AWS4-HMAC-SHA256` +
          `&X-Amz-Credential=${SESSION.accessKeyId}%2F20260304%2Feu-west-1%2Felasticache%2Faws4_request` +
          "&X-Amz-Date=20260304T050607Z&X-Amz-Expires=900&X-Amz-Security-Token=[^&]+" +
          "&X-Amz-Signature=[0-9a-f]{64}&X-Amz-SignedHeaders=host$",
      ),
    );
  });

  it.each([
    ["replication group", { group: "search-staging" }],
    ["user", { user: "search-prod-admin" }],
    ["region", { region: "eu-central-1" }],
    ["instant", { at: new Date(INSTANT.getTime() + 1000) }],
  ])("differ when the %s differs", async (_what, overrides) => {
    expect(await sign(overrides)).not.toBe(await sign({}));
  });
});

describe("AuthTokenSource", () => {
  const T0 = INSTANT.getTime();
  const MINUTE = 60_000;

  /** A source on a hand-moved clock; `signed` lists the instants it signed at. */
  function fixture(options: { expiration?: () => Date | undefined; failFrom?: number } = {}) {
    let now = T0;
    const signed: number[] = [];
    const credentialRequests: { forceRefresh?: boolean }[] = [];
    const source = new AuthTokenSource({
      description: "test token",
      now: () => now,
      credentials: async (request = {}) => {
        credentialRequests.push(request);
        return { ...SESSION, expiration: options.expiration?.() };
      },
      sign: async (_credentials, signingDate) => {
        if (options.failFrom !== undefined && now >= options.failFrom) {
          throw new Error("credentials endpoint unreachable");
        }
        signed.push(signingDate.getTime());
        return `token@${signingDate.getTime() - T0}`;
      },
    });
    return {
      source,
      signed,
      credentialRequests,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it("signs once for any number of connections while its token is fresh; concurrent callers share that signing", async () => {
    const { source, signed, advance } = fixture();

    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.token()));
    advance(10 * MINUTE - 1);
    const later = await source.token();

    expect(new Set([...tokens, later])).toEqual(new Set(["token@0"]));
    expect(signed).toEqual([T0]);
  });

  it("signs a new token once less than 5 of its 15 minutes are left; the previous one stays usable until a minute before it expires", async () => {
    const { source, signed, advance } = fixture();
    await source.token();

    advance(10 * MINUTE + 1);
    const fresh = await source.token();

    expect(fresh).toBe(`token@${10 * MINUTE + 1}`);
    expect(signed).toEqual([T0, T0 + 10 * MINUTE + 1]);
    expect(source.peek()).toBe(fresh);
    expect(source.isUsable("token@0")).toBe(true);
    advance(4 * MINUTE);
    expect(source.isUsable("token@0")).toBe(false);
    expect(source.isUsable(fresh)).toBe(true);
    expect(source.isUsable(undefined)).toBe(false);
    expect(source.isUsable("a token it never signed")).toBe(false);
  });

  it("refreshes credentials that would expire before the token, and ends the token with them when they cannot be renewed", async () => {
    // The credentials source keeps returning credentials that expire in 8 minutes.
    let expiresAt = T0 + 8 * MINUTE;
    const { source, signed, credentialRequests, advance } = fixture({
      expiration: () => new Date(expiresAt),
    });

    await source.token();
    expect(credentialRequests).toEqual([{}, { forceRefresh: true }]);

    // The token dies with its credentials at 8 minutes: replaced 5 minutes before, at 3.
    advance(3 * MINUTE - 1);
    await source.token();
    expect(signed).toEqual([T0]);
    advance(2);
    expiresAt = T0 + 6 * 60 * MINUTE;
    await source.token();
    expect(signed).toEqual([T0, T0 + 3 * MINUTE + 1]);
  });

  it("keeps handing out a still-valid token while signing fails, then fails with the reason", async () => {
    const { source, advance } = fixture({ failFrom: T0 + 10 * MINUTE });
    await source.token();

    advance(13 * MINUTE);
    expect(await source.token()).toBe("token@0");

    advance(MINUTE + 1);
    const failure = source.token();
    await expect(failure).rejects.toThrow(
      "cannot sign the test token: credentials endpoint unreachable",
    );
    await expect(failure).rejects.not.toThrow(SESSION.secretAccessKey);
    expect(source.peek()).toBeUndefined();
  });

  it("keeps a fresh token in memory on its own, retrying failures with backoff", async () => {
    jest.useFakeTimers({ now: INSTANT });
    try {
      let failing = false;
      const signed: number[] = [];
      const errors: string[] = [];
      const source = new AuthTokenSource({
        description: "test token",
        credentials: async () => SESSION,
        sign: async (_c, date) => {
          if (failing) throw new Error("no credentials");
          signed.push(date.getTime() - T0);
          return `token@${date.getTime() - T0}`;
        },
      });

      source.keepFresh((err) => errors.push(err.message));
      await jest.advanceTimersByTimeAsync(0);
      expect(source.peek()).toBe("token@0");

      await jest.advanceTimersByTimeAsync(10 * MINUTE);
      expect(signed).toEqual([0, 10 * MINUTE]);

      failing = true;
      await jest.advanceTimersByTimeAsync(10 * MINUTE); // the refresh at 20 min fails...
      await jest.advanceTimersByTimeAsync(1_000 + 2_000); // ...and its retries after 1 s and 2 s
      expect(errors).toEqual(Array(3).fill("cannot sign the test token: no credentials"));
      expect(source.peek()).toBe(`token@${10 * MINUTE}`); // still valid until 25 min

      failing = false;
      await jest.advanceTimersByTimeAsync(4_000);
      expect(signed).toEqual([0, 10 * MINUTE, 20 * MINUTE + 7_000]);

      source.close();
      await jest.advanceTimersByTimeAsync(60 * MINUTE);
      expect(signed).toHaveLength(3);
    } finally {
      jest.useRealTimers();
    }
  });

  it.each([30_000, 900_000])(
    "fails when refreshBeforeExpiryMs is %d (outside [60000, 900000))",
    (ms) => {
      expect(
        () =>
          new AuthTokenSource({
            description: "test token",
            credentials: async () => SESSION,
            sign: async () => "t",
            refreshBeforeExpiryMs: ms,
          }),
      ).toThrow(`refreshBeforeExpiryMs must be in [60000, 900000), got ${ms}`);
    },
  );
});
