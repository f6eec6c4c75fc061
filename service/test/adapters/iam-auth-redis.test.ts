/**
 * ElastiCache IAM authentication, wired for real against private redis-server processes that,
 * like ElastiCache with IAM, accept TLS only, have the default user off, and know the
 * application user by the password that is exactly the token AWS's procedure yields (computed by
 * the independent reference presigner). A connection succeeds only if the client sends that
 * token; rotating the password and killing the connections shows that reconnects sign anew.
 * What no test here can show is ElastiCache accepting it (see the README, "IAM authentication").
 */
import { rmSync } from "node:fs";
import tls from "node:tls";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Redis } from "ioredis";
import { createRedisClients, type RedisClients } from "../../src/adapters/redis/client";
import { parseServiceSettings } from "../../src/config";
import { PrivateRedis, temporaryDirectory, until } from "../support/private-servers";
import { referencePresign } from "../support/sigv4-reference";
import { createTestPki, type TestPki } from "../support/test-pki";

const REGION = "eu-west-1";
const GROUP = "search-test";
const USER = "search-test-app";
const PREFIX = "test:";
const CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: "ASIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE",
};
const T0 = Date.parse("2026-03-04T05:06:07Z");
const MINUTE = 60_000;
/**
 * The application user's rights as the platform grants them on ElastiCache: RedisCache's
 * `appUserAccessString("test:")` (constructs/data/redis-cache.ts), the password aside.
 */
const APP_USER_RIGHTS =
  "on ~test:* &test:* -@all +@read +@write +@scripting +@transaction +@connection +@pubsub " +
  "-@dangerous +info +select +cluster|slots +cluster|shards +cluster|info";

/** The token AWS's documented procedure yields at `instant`. */
const expectedToken = (instant: number) =>
  referencePresign({
    service: "elasticache",
    region: REGION,
    host: GROUP,
    query: { Action: "connect", User: USER },
    credentials: CREDENTIALS,
    signingDate: new Date(instant),
    expiresInSeconds: 900,
  });

/** Resolves with the next message on `channel`. */
function nextMessage(subscriber: Redis | RedisClients["subscriber"], channel: string) {
  return new Promise<string>((resolve) => {
    const listener = (c: string, message: string) => {
      if (c !== channel) return;
      subscriber.off("message", listener);
      resolve(message);
    };
    subscriber.on("message", listener);
  });
}

describe.each([
  ["a single node", undefined],
  ["a three-node cluster", 3],
] as const)("ElastiCache IAM authentication against %s", (_name, clusterNodes) => {
  let dir = "";
  let pki: TestPki;
  let server: PrivateRedis;
  let defaultCAs: string[] = [];
  const opened: RedisClients[] = [];

  beforeAll(async () => {
    dir = temporaryDirectory("search-iam-pki-");
    pki = createTestPki(dir, ["localhost"]);
    // The clients trust the default store (ElastiCache's certificates are public): add the CA.
    defaultCAs = tls.getCACertificates("default");
    tls.setDefaultCACertificates([...defaultCAs, pki.caPem]);
    server = await PrivateRedis.start(pki, { clusterNodes });
  }, 60_000);

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
  });

  afterAll(async () => {
    await server?.stop();
    tls.setDefaultCACertificates(defaultCAs);
    rmSync(dir, { recursive: true, force: true });
  });

  const cluster = clusterNodes !== undefined;
  const settings = parseServiceSettings({
    redis: {
      auth: "iam",
      tls: true,
      user: USER,
      replicationGroupId: GROUP,
      cluster,
      keyPrefix: PREFIX,
      connectTimeoutMs: 2_000,
    },
    // Long enough for the queued SUBSCRIBE to outlast a slow first signing (500 ms below).
    resilience: { redis: { timeoutMs: 2_000 } },
  });

  /**
   * Sets the application user's one password on every node and drops its connections (and
   * clears the failed-login log, so each test sees its own).
   */
  const rotatePassword = (token: string) =>
    server.forEachNode(async (r) => {
      await r.call("ACL", "SETUSER", USER, "reset", ...APP_USER_RIGHTS.split(" "), `>${token}`);
      await r.call("CLIENT", "KILL", "USER", USER);
      await r.call("ACL", "LOG", "RESET");
    });

  /** Authentication failures the servers logged for the application user. */
  const failedLogins = () =>
    server
      .forEachNode(async (r) => (await r.call("ACL", "LOG")) as unknown[][])
      .then((logs) =>
        logs.flat().filter((entry) => {
          const fields = entry as unknown[];
          const get = (k: string) => fields[fields.indexOf(k) + 1];
          return get("reason") === "auth" && get("username") === USER;
        }),
      );

  function connect(clock: { now: number }, credentialDelayMs = 0) {
    const errors: string[] = [];
    const clients = createRedisClients(
      `rediss://localhost:${server.ports[0]}`,
      settings,
      (err, connection) => errors.push(`${connection}: ${err.message}`),
      {
        iam: {
          region: REGION,
          credentials: async () => {
            await new Promise((r) => setTimeout(r, credentialDelayMs));
            return CREDENTIALS;
          },
          now: () => clock.now,
        },
      },
    );
    opened.push(clients);
    return { clients, errors };
  }

  it("connects as redis.user with the token for the replication group, over TLS; commands, scripts and pub/sub work", async () => {
    await rotatePassword(expectedToken(T0));
    const { clients } = connect({ now: T0 });
    // Subscribed at once, as KeyRevocations does: queued until the subscriber is ready.
    const channel = `${PREFIX}auth:revocations`;
    const subscribed = clients.subscriber.subscribe(channel);

    expect(await clients.waitUntilReady(10_000)).toBe(true);
    const keys = Array.from({ length: 20 }, (_, i) => `${PREFIX}iam:${i}`);
    await Promise.all(keys.map((k, i) => clients.main.set(k, String(i))));
    expect(await Promise.all(keys.map((k) => clients.main.get(k)))).toEqual(
      keys.map((_, i) => String(i)),
    );
    expect(await clients.main.eval("return redis.call('INCR', KEYS[1])", 1, `${PREFIX}n`)).toBe(1);
    await subscribed;
    const received = nextMessage(clients.subscriber, channel);
    await clients.main.publish(channel, "hello");
    expect(await received).toBe("hello");
    expect(await failedLogins()).toEqual([]);
  }, 30_000);

  it("signs a fresh token when it reconnects after its connections are dropped, and resubscribes", async () => {
    const clock = { now: T0 };
    await rotatePassword(expectedToken(T0));
    const { clients } = connect(clock);
    const channel = `${PREFIX}auth:revocations`;
    const subscribed = clients.subscriber.subscribe(channel);
    expect(await clients.waitUntilReady(10_000)).toBe(true);
    await subscribed;

    // 14.5 minutes on, the first token has 30 s left: a new connection must not use it. The
    // server now knows only the new token and drops every connection of the user.
    clock.now = T0 + 14.5 * MINUTE;
    await rotatePassword(expectedToken(clock.now));

    await until("the clients did not reconnect", async () => {
      await clients.main.set(`${PREFIX}after-rotation`, "1");
      const received = nextMessage(clients.subscriber, channel);
      await clients.main.publish(channel, "after");
      await Promise.race([
        received,
        new Promise((_, reject) => setTimeout(() => reject(new Error("no message")), 300)),
      ]);
    });
    expect(await failedLogins()).toEqual([]);
  }, 30_000);

  it("opens no connection before the first token is signed: fast-fail commands fail, the subscription waits", async () => {
    await rotatePassword(expectedToken(T0));
    const { clients } = connect({ now: T0 }, 500);

    // Fails instead of waiting for a connection (its wording depends on the client kind).
    await expect(clients.main.ping()).rejects.toBeInstanceOf(Error);
    const channel = `${PREFIX}early`;
    const subscribed = clients.subscriber.subscribe(channel);

    expect(await clients.waitUntilReady(10_000)).toBe(true);
    await subscribed;
    const received = nextMessage(clients.subscriber, channel);
    await clients.main.publish(channel, "late");
    expect(await received).toBe("late");
    expect(await failedLogins()).toEqual([]);
  }, 30_000);
});
