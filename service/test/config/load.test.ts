import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvalidSettingsError } from "../../src/config";
import { loadConfig } from "../../src/config/load";

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

  it("refuses settings this build cannot honour yet, for the dependencies the command uses", () => {
    const settingsFile = file(JSON.stringify({ redis: { auth: "iam" } }));
    expect(() => loadConfig({ SERVICE_CONFIG: settingsFile })).toThrow(
      'redis.auth: IAM authentication is not built yet, got "iam"',
    );
    const migrationJob = loadConfig(
      { SERVICE_CONFIG: settingsFile },
      { uses: { postgres: true, redis: false } },
    );
    expect(migrationJob.settings.redis.auth).toBe("iam");
  });
});
