import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvalidSettingsError } from "../../src/config";
import { DEVELOPMENT_AUDIT_KEY, loadConfig } from "../../src/config/load";

function file(content: string): string {
  const p = path.join(mkdtempSync(path.join(tmpdir(), "search-settings-")), "settings.json");
  writeFileSync(p, content);
  return p;
}

describe("loadConfig", () => {
  it("runs locally with no file and no variables", () => {
    const { settings, endpoints } = loadConfig({});

    expect(settings.server.port).toBe(8080);
    expect(endpoints).toEqual({
      port: 8080,
      postgresWriter: {
        host: "127.0.0.1",
        port: 5432,
        user: "search_app",
        password: undefined,
        database: "search",
      },
      postgresReader: {
        host: "127.0.0.1",
        port: 5432,
        user: "search_app",
        password: undefined,
        database: "search",
      },
      sslRootCertPath: undefined,
      redisUrl: "redis://127.0.0.1:6379",
      awsRegion: undefined,
      // Outside production a development key stands in for AUDIT_HMAC_KEY.
      auditKeys: { current: DEVELOPMENT_AUDIT_KEY, previous: [], development: true },
    });
    expect(Object.isFrozen(endpoints.postgresReader)).toBe(true);
  });

  it("takes endpoints from the libpq variables, the reader from PGREADHOST/PGREADPORT, the port from PORT", () => {
    const settingsFile = file(
      JSON.stringify({ server: { port: 9000 }, cache: { searchTtlSeconds: 30 } }),
    );

    const { settings, endpoints } = loadConfig({
      SERVICE_CONFIG: settingsFile,
      PORT: "7000",
      PGHOST: "writer.db",
      PGPORT: "6432",
      PGUSER: "search_app",
      PGPASSWORD: "s3cret",
      PGDATABASE: "search",
      PGREADHOST: "reader.db",
      REDIS_URL: "rediss://:token@cache:6379",
    });

    expect(settings.cache.searchTtlSeconds).toBe(30);
    expect(endpoints.port).toBe(7000);
    expect(endpoints.postgresWriter).toEqual({
      host: "writer.db",
      port: 6432,
      user: "search_app",
      password: "s3cret",
      database: "search",
    });
    expect(endpoints.postgresReader).toMatchObject({ host: "reader.db", port: 6432 });
    expect(endpoints.redisUrl).toBe("rediss://:token@cache:6379");
  });

  it("fails with the path of every invalid value, in the file and in the environment", () => {
    const settingsFile = file(
      JSON.stringify({ server: { port: "x" }, postgres: { statementTimeoutMs: 60000 } }),
    );

    expect(() =>
      loadConfig({ SERVICE_CONFIG: settingsFile, PGPORT: "abc", REDIS_URL: "http://cache:6379" }),
    ).toThrow(
      new InvalidSettingsError(`${settingsFile} and the environment`, [
        { path: "env.PGPORT", message: 'Invalid input: expected number, received NaN, got "abc"' },
        {
          path: "env.REDIS_URL",
          message: 'must start with redis:// or rediss://, got "http://cache:6379"',
        },
        {
          path: "server.port",
          message: 'Invalid input: expected number, received string, got "x"',
        },
        {
          path: "postgres.statementTimeoutMs",
          message: "Too big: expected number to be <=30000, got 60000",
        },
      ]),
    );
  });

  it("fails with the file's path when it is not JSON", () => {
    const settingsFile = file("{ nope");
    expect(() => loadConfig({ SERVICE_CONFIG: settingsFile })).toThrow(
      /^Invalid service settings in .*settings\.json:\n {2}- \(file\): cannot be read as JSON: /,
    );
  });

  describe("IAM authentication", () => {
    const iamSettings = {
      postgres: { auth: "iam", sslMode: "verify-full" },
      redis: { auth: "iam", tls: true, user: "search-prod-app", replicationGroupId: "search-prod" },
    };
    /** What the Deployment sets, less the settings file. */
    const deploymentEnv = {
      PGHOST: "search-prod.cluster-abc.eu-west-1.rds.amazonaws.com",
      PGUSER: "search_app",
      PGSSLROOTCERT: "/app/certs/rds-global-bundle.pem",
      REDIS_URL: "rediss://master.search-prod.abc.euw1.cache.amazonaws.com:6379",
      AWS_REGION: "eu-west-1",
    };
    const load = (
      settings: object,
      env: Record<string, string | undefined> = {},
      options?: Parameters<typeof loadConfig>[1],
    ) =>
      loadConfig(
        { ...deploymentEnv, ...env, SERVICE_CONFIG: file(JSON.stringify(settings)) },
        options,
      );
    const issuesOf = (run: () => unknown): string[] => {
      try {
        run();
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidSettingsError);
        return (err as InvalidSettingsError).issues.map((i) => `${i.path}: ${i.message}`);
      }
      throw new Error("expected the configuration to be refused");
    };

    it("starts with IAM for both stores given TLS, the user, the replication group and a region", () => {
      const { settings, endpoints } = load(iamSettings);

      expect(settings.postgres.auth).toBe("iam");
      expect(settings.redis).toMatchObject({ auth: "iam", replicationGroupId: "search-prod" });
      expect(endpoints.awsRegion).toBe("eu-west-1");
      expect(endpoints.postgresWriter.password).toBeUndefined();
    });

    it.each([
      [
        "fails when IAM has no region to sign for",
        iamSettings,
        { AWS_REGION: undefined },
        [
          'env.AWS_REGION: must be set when postgres.auth or redis.auth is "iam" (IAM auth tokens are signed for a region), got nothing',
        ],
      ],
      [
        "fails when PostgreSQL IAM would send its token without verifying the server",
        { ...iamSettings, postgres: { auth: "iam", sslMode: "require" } },
        {},
        [
          'postgres.sslMode: must be "verify-full" when postgres.auth is "iam" (the token is a credential: send it only to a verified server), got "require"',
        ],
      ],
      [
        "fails when PostgreSQL IAM is given a static password too",
        iamSettings,
        { PGPASSWORD: "s3cret" },
        [
          'env.PGPASSWORD: must not be set when postgres.auth is "iam" (the password is a signed token)',
        ],
      ],
      [
        "fails when Redis IAM has no TLS, no user and no replication group",
        { ...iamSettings, redis: { auth: "iam" } },
        {},
        [
          'redis.tls: must be true when redis.auth is "iam" (ElastiCache accepts IAM tokens only over TLS), got false',
          'redis.user: must be set when redis.auth is "iam" (the token is signed for it)',
          'redis.replicationGroupId: must be set when redis.auth is "iam" (the token is signed for it)',
        ],
      ],
      [
        "fails when Redis IAM is given credentials in REDIS_URL",
        iamSettings,
        { REDIS_URL: "rediss://app:s3cret@cache:6379" },
        [
          'env.REDIS_URL: must carry no user or password when redis.auth is "iam" (the user is redis.user, the password a signed token)',
        ],
      ],
      [
        "fails when Redis password auth has no password in REDIS_URL",
        { redis: { auth: "password", tls: true } },
        { AWS_REGION: undefined },
        [
          'env.REDIS_URL: must carry the password (redis://user:password@host:port) when redis.auth is "password"',
        ],
      ],
    ])("%s", (_name, settings, env, expected) => {
      expect(issuesOf(() => load(settings, env))).toEqual(expected);
    });

    it("checks only what the command's dependencies need: the migration Job signs no Redis token", () => {
      const migrationJob = load(
        { ...iamSettings, postgres: { auth: "password", sslMode: "verify-full" } },
        {
          AWS_REGION: undefined,
          PGPASSWORD: "owner-password",
          REDIS_URL: "rediss://:x@cache:6379",
        },
        { uses: { postgres: true, redis: false } },
      );

      expect(migrationJob.settings.redis.auth).toBe("iam");
      expect(migrationJob.endpoints.postgresWriter.password).toBe("owner-password");
    });
  });
});
