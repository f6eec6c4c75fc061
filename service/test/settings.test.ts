import { InvalidSettingsError, parseServiceSettings } from "../src/config";

describe("ServiceSettings", () => {
  it("is complete with no input at all", () => {
    const s = parseServiceSettings({});
    expect(s.server.port).toBe(8080);
    expect(s.governance.audit.retentionInDays).toBe(730);
    expect(Object.isFrozen(s.resilience.redis.breaker)).toBe(true);
  });

  it("fails with the path of every invalid value", () => {
    expect(() =>
      parseServiceSettings(
        {
          server: { port: "x" },
          governance: { compliancePreset: "hipaa", audit: { retentionInDays: 30 } },
          bogus: 1,
        },
        "/etc/search/settings.json",
      ),
    ).toThrow(
      new InvalidSettingsError("/etc/search/settings.json", [
        {
          path: "server.port",
          message: 'Invalid input: expected number, received string, got "x"',
        },
        {
          path: "governance.audit.retentionInDays",
          message: 'must be at least 2555 days under the "hipaa" preset, got 30',
        },
        { path: "bogus", message: "is not a known setting" },
      ]),
    );
  });
});
