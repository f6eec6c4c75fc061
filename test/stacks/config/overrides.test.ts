import { applyOverride, collectOverrides, OverrideError } from "../../../stacks/config";
import { loadEnvironments } from "../../../stacks/environments";

describe("collectOverrides", () => {
  it("reads nothing when no source is set", () => {
    expect(collectOverrides({ env: {} })).toEqual({});
  });

  it("merges context, SEARCH_PLATFORM_OVERRIDES and SEARCH_PLATFORM_SET, later sources winning", () => {
    // GIVEN three sources that touch the same field
    const overrides = collectOverrides({
      context: { prod: { aurora: { readers: 2, backupRetentionInDays: 14 } } },
      env: {
        SEARCH_PLATFORM_OVERRIDES: JSON.stringify({ prod: { aurora: { readers: 3 } } }),
        SEARCH_PLATFORM_SET: "prod.aurora.readers=4; prod.aws.accountId=123456789012",
      },
    });
    // THEN the last source wins per field and untouched fields survive
    expect(overrides).toEqual({
      prod: { aurora: { readers: 4, backupRetentionInDays: 14 }, aws: { accountId: 123456789012 } },
    });
  });

  it("reads SET values as JSON when they parse and as strings otherwise", () => {
    const overrides = collectOverrides({
      env: {
        SEARCH_PLATFORM_SET:
          'dev.aws.accountId="123456789012";dev.network.natGateways=single;dev.eks.endpoint.publicAccessCidrs=["198.51.100.0/24"]',
      },
    });
    expect(overrides).toEqual({
      dev: {
        aws: { accountId: "123456789012" },
        network: { natGateways: "single" },
        eks: { endpoint: { publicAccessCidrs: ["198.51.100.0/24"] } },
      },
    });
  });

  it("reads a JSON file named with @", () => {
    const overrides = collectOverrides({
      env: { SEARCH_PLATFORM_OVERRIDES: "@/etc/overrides.json" },
      readFile: (path) =>
        path === "/etc/overrides.json" ? '{"dev":{"sla":{"tier":"standard"}}}' : "",
    });
    expect(overrides).toEqual({ dev: { sla: { tier: "standard" } } });
  });

  it.each([
    [
      { SEARCH_PLATFORM_OVERRIDES: "{not json" },
      /^Invalid override in SEARCH_PLATFORM_OVERRIDES: not valid JSON/,
    ],
    [
      { SEARCH_PLATFORM_OVERRIDES: "[1]" },
      "Invalid override in SEARCH_PLATFORM_OVERRIDES: must be an object keyed by environment name",
    ],
    [
      { SEARCH_PLATFORM_OVERRIDES: '{"prod": 3}' },
      'Invalid override in SEARCH_PLATFORM_OVERRIDES: "prod" must be an object of config fields',
    ],
    [
      { SEARCH_PLATFORM_SET: "prod.aurora.readers" },
      'Invalid override in SEARCH_PLATFORM_SET: "prod.aurora.readers" is not of the form env.path=value',
    ],
    [
      { SEARCH_PLATFORM_SET: "prod=3" },
      'Invalid override in SEARCH_PLATFORM_SET: "prod=3" must name an environment and a field, like prod.aurora.readers=3',
    ],
  ])("fails when an override source is malformed (%j)", (env, message) => {
    expect(() => collectOverrides({ env })).toThrow(OverrideError);
    expect(() => collectOverrides({ env })).toThrow(message);
  });

  it("fails when a file override cannot be read", () => {
    expect(() =>
      collectOverrides({
        env: { SEARCH_PLATFORM_OVERRIDES: "@missing.json" },
        readFile: () => {
          throw new Error("ENOENT");
        },
      }),
    ).toThrow(
      "Invalid override in SEARCH_PLATFORM_OVERRIDES file missing.json: cannot read it (ENOENT)",
    );
  });
});

describe("applyOverride", () => {
  it("merges objects key by key and replaces arrays whole", () => {
    expect(applyOverride({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] } })).toEqual({
      a: { b: 1, c: [3] },
      d: 1,
    });
  });
});

describe("loadEnvironments with overrides", () => {
  it("applies a valid override", () => {
    const prod = loadEnvironments({ prod: { aurora: { readers: 3 } } }).find(
      (e) => e.name === "prod",
    )!;
    expect(prod.aurora.readers).toBe(3);
  });

  it("fails with the field path when an override is invalid", () => {
    expect(() => loadEnvironments({ prod: { aws: { accountId: "12345" } } })).toThrow(
      'Invalid config for environment "prod":\n  - aws.accountId: must be a 12-digit AWS account id, got "12345"',
    );
  });

  it("restores an account id's leading zeros when it arrives as a number", () => {
    const overrides = collectOverrides({
      env: { SEARCH_PLATFORM_SET: "prod.aws.accountId=012345678901" },
    });
    expect(overrides).toEqual({ prod: { aws: { accountId: "012345678901" } } });
    const prod = loadEnvironments({ prod: { aws: { accountId: 12345678901 } } }).find(
      (e) => e.name === "prod",
    )!;
    expect(prod.aws.accountId).toBe("012345678901");
  });

  it("fails when an override names an unknown environment", () => {
    expect(() => loadEnvironments({ qa: {} })).toThrow(
      "Overrides name unknown environment(s): qa (known: dev, staging, prod)",
    );
  });
});
