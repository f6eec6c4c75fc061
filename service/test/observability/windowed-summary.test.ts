/**
 * The request-latency summary: prom-client's Summary exposition and sliding window, observed
 * into logarithmic bins instead of t-digests.
 */
import { Registry, Summary } from "prom-client";
import { WindowedSummary } from "../../src/observability/windowed-summary";

const config = (registry: Registry) => ({
  name: "latency_seconds",
  help: "Latency.",
  labelNames: ["route"] as const,
  percentiles: [0.5, 0.95, 0.99],
  maxAgeSeconds: 300,
  ageBuckets: 5,
  registers: [registry],
});

/** `name{labels} value` lines of an exposition, values parsed. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

afterEach(() => jest.useRealTimers());

describe("windowed summary", () => {
  it("exposes the same series as prom-client's Summary, quantiles within 1%", async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Summary(config(theirs));
    const summary = new WindowedSummary(config(ours));
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (let i = 0; i < 20_000; i++) {
      const seconds = 0.001 * Math.exp(random() * 5); // 1 ms to 150 ms, skewed
      reference.labels("/v1/search").observe(seconds);
      summary.labels("/v1/search").observe(seconds);
    }
    reference.labels({ route: "/v1/documents" }).observe(0.25);
    summary.labels({ route: "/v1/documents" }).observe(0.25);

    const expected = samples(await theirs.metrics());
    const actual = samples(await ours.metrics());

    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    expect((await ours.metrics()).split("\n").slice(0, 2)).toEqual([
      "# HELP latency_seconds Latency.",
      "# TYPE latency_seconds summary",
    ]);
    for (const [series, value] of expected) {
      if (series.includes("quantile")) expect(actual.get(series)! / value).toBeCloseTo(1, 1);
      else expect(actual.get(series)).toBeCloseTo(value, 6);
    }
    // A window of one value reports that value.
    expect(actual.get('latency_seconds{quantile="0.99",route="/v1/documents"}')).toBe(0.25);
  });

  it("forgets observations older than the window, and reports 0 for an empty one", async () => {
    jest.useFakeTimers({ now: Date.parse("2026-01-01T00:00:00Z") });
    const registry = new Registry();
    const summary = new WindowedSummary(config(registry));
    for (let i = 0; i < 100; i++) summary.labels("/v1/search").observe(2);

    jest.setSystemTime(Date.parse("2026-01-01T00:04:30Z")); // within 5 minutes: still counted
    summary.labels("/v1/search").observe(0.01);
    const within = samples(await registry.metrics());
    jest.setSystemTime(Date.parse("2026-01-01T00:05:30Z")); // the 2 s ones aged out
    const later = samples(await registry.metrics());
    jest.setSystemTime(Date.parse("2026-01-01T00:10:30Z")); // everything aged out
    const empty = samples(await registry.metrics());

    expect(within.get('latency_seconds{quantile="0.5",route="/v1/search"}')! / 2).toBeCloseTo(1, 2);
    expect(later.get('latency_seconds{quantile="0.5",route="/v1/search"}')).toBe(0.01);
    expect(empty.get('latency_seconds{quantile="0.5",route="/v1/search"}')).toBe(0);
    // _sum and _count are cumulative, as prom-client's are.
    expect(empty.get('latency_seconds_count{route="/v1/search"}')).toBe(101);
    expect(empty.get('latency_seconds_sum{route="/v1/search"}')).toBeCloseTo(200.01, 6);
  });

  it("empties every series on reset", async () => {
    const registry = new Registry();
    const summary = new WindowedSummary(config(registry));
    summary.labels("/v1/search").observe(0.5);

    registry.resetMetrics();

    const after = samples(await registry.metrics());
    expect(after.get('latency_seconds_count{route="/v1/search"}')).toBe(0);
    expect(after.get('latency_seconds{quantile="0.5",route="/v1/search"}')).toBe(0);
  });
});
