import { Testing, TerraformStack } from "cdktf";
import {
  BREAKER_DEPENDENCIES,
  searchServiceMetricDeclarations,
  SERVICE_METRICS,
  ServiceAlarms,
  type ServiceAlarmsProps,
} from "../../../constructs/workloads";
import { InvalidPropsError } from "../../../constructs/core";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const TOPIC = "arn:aws:sns:eu-west-1:111111111111:search-test-alarms";

function props(overrides: Partial<ServiceAlarmsProps> = {}): ServiceAlarmsProps {
  return {
    metricsNamespace: "SearchPlatform/test",
    alarmTopic: { topicArn: TOPIC },
    latencyP95Seconds: 0.2,
    namePrefix: "search-test-service",
    context: { clusterName: "search-test", namespace: "search" },
    ...overrides,
  };
}

function synth(overrides: Partial<ServiceAlarmsProps> = {}): Json[] {
  const stack = new TerraformStack(Testing.app(), "test");
  new ServiceAlarms(stack, "alarms", props(overrides));
  return Object.values(
    (JSON.parse(Testing.synth(stack)) as Json).resource.aws_cloudwatch_metric_alarm ?? {},
  );
}

const alarms = (() => {
  const stack = new TerraformStack(Testing.app(), "test");
  new ServiceAlarms(stack, "alarms", props());
  const json = JSON.parse(Testing.synth(stack)) as Json;
  return Object.fromEntries(
    Object.values(json.resource.aws_cloudwatch_metric_alarm as Json).map((a: Json) => [
      a.alarm_name,
      a,
    ]),
  );
})();

describe("ServiceAlarms", () => {
  it("alarms when the search p95 passes the SLO for five minutes", () => {
    expect(alarms["search-test-service-search-latency-p95"]).toMatchObject({
      namespace: "SearchPlatform/test",
      metric_name: SERVICE_METRICS.latencyQuantiles,
      dimensions: { quantile: "0.95" },
      statistic: "Maximum",
      period: 60,
      evaluation_periods: 5,
      datapoints_to_alarm: 5,
      threshold: 0.2,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
    });
  });

  it("alarms when the search p99 passes 2 s for five minutes, whatever the tier", () => {
    expect(alarms["search-test-service-search-latency-p99"]).toMatchObject({
      metric_name: SERVICE_METRICS.latencyQuantiles,
      dimensions: { quantile: "0.99" },
      statistic: "Maximum",
      evaluation_periods: 5,
      datapoints_to_alarm: 5,
      threshold: 2,
      comparison_operator: "GreaterThanThreshold",
      treat_missing_data: "notBreaching",
      tags: { severity: "critical" },
    });
  });

  it("alarms when the cache hit rate falls below 10% over at least 100 lookups a minute", () => {
    const alarm = alarms["search-test-service-cache-hit-rate"];
    expect(alarm).toMatchObject({
      threshold: 10,
      evaluation_periods: 1,
      comparison_operator: "LessThanThreshold",
      treat_missing_data: "notBreaching",
    });
    const queries = Object.fromEntries(alarm.metric_query.map((q: Json) => [q.id, q]));
    expect(queries.hit.metric).toEqual({
      namespace: "SearchPlatform/test",
      metric_name: SERVICE_METRICS.cacheRequests,
      dimensions: { result: "hit" },
      stat: "Sum",
      period: 60,
    });
    expect(queries.miss.metric.dimensions).toEqual({ result: "miss" });
    expect(queries.hitRate).toMatchObject({
      expression: "IF(lookups >= 100, 100 * FILL(hit, 0) / lookups, 100)",
      return_data: true,
    });
    // the dimension the alarm reads is one the collector publishes
    const declared = searchServiceMetricDeclarations().find((d) =>
      d.metric_name_selectors.includes(`^${SERVICE_METRICS.cacheRequests}$`),
    )!;
    expect(declared.dimensions).toEqual([["result"]]);
  });

  it("makes no hit-rate alarm when told the cache is off", () => {
    const names = synth({ cacheHitRateFloorPercent: 0 }).map((a) => a.alarm_name);
    expect(names).not.toContain("search-test-service-cache-hit-rate");
    expect(names).toContain("search-test-service-search-latency-p99");
  });

  it("watches a metric and a dimension the collector publishes", () => {
    // the latency alarm's dimension set is one of the export rules for its metric
    const declared = searchServiceMetricDeclarations().filter((d) =>
      d.metric_name_selectors.includes(`^${SERVICE_METRICS.latencyQuantiles}$`),
    );
    expect(declared.map((d) => d.dimensions)).toContainEqual([["quantile"]]);
    const breaker = searchServiceMetricDeclarations().find((d) =>
      d.metric_name_selectors.includes(`^${SERVICE_METRICS.breakerState}$`),
    )!;
    expect(breaker.dimensions).toEqual([["dependency"]]);
  });

  it("alarms on more than 1% of responses being 5xx for five minutes", () => {
    const alarm = alarms["search-test-service-5xx-ratio"];
    expect(alarm).toMatchObject({
      threshold: 1,
      evaluation_periods: 5,
      datapoints_to_alarm: 5,
      comparison_operator: "GreaterThanThreshold",
    });
    const queries = Object.fromEntries(alarm.metric_query.map((q: Json) => [q.id, q]));
    expect(queries.c5.metric).toEqual({
      namespace: "SearchPlatform/test",
      metric_name: SERVICE_METRICS.requestDuration,
      dimensions: { status_class: "5xx" },
      stat: "SampleCount",
      period: 60,
    });
    expect(queries.total.expression).toBe(
      "FILL(c1, 0) + FILL(c2, 0) + FILL(c3, 0) + FILL(c4, 0) + FILL(c5, 0)",
    );
    expect(queries.errorPercent).toMatchObject({
      expression: "IF(total > 0, 100 * FILL(c5, 0) / total, 0)",
      return_data: true,
    });
    expect(alarm.metric_query.filter((q: Json) => q.return_data)).toHaveLength(1);
  });

  it.each([
    ["warning", 5],
    ["critical", 15],
  ])(
    "raises a %s when more than %i%% of at least 100 requests a minute are refused with 429",
    (severity, percent) => {
      const alarm = alarms[`search-test-service-429-ratio-${severity}`];
      expect(alarm).toMatchObject({
        threshold: percent,
        evaluation_periods: 5,
        datapoints_to_alarm: 5,
        comparison_operator: "GreaterThanThreshold",
        tags: { severity },
      });
      const queries = Object.fromEntries(alarm.metric_query.map((q: Json) => [q.id, q]));
      expect(
        ["r0", "r1", "r2", "r3"].map((id) => [
          queries[id].metric.dimensions,
          queries[id].metric.stat,
        ]),
      ).toEqual([
        [{ tier: "free" }, "Sum"],
        [{ tier: "standard" }, "Sum"],
        [{ tier: "enterprise" }, "Sum"],
        [{ tier: "ip" }, "Sum"],
      ]);
      expect(queries.rejectedPercent.expression).toBe(
        "IF(total >= 100, 100 * (FILL(r0, 0) + FILL(r1, 0) + FILL(r2, 0) + FILL(r3, 0)) / total, 0)",
      );
      // CloudWatch takes at most 10 metrics in an alarm's math
      expect(alarm.metric_query.filter((q: Json) => q.metric)).toHaveLength(9);
      // the by-tier series is one the collector publishes
      const declared = searchServiceMetricDeclarations().find((d) =>
        d.metric_name_selectors.includes(`^${SERVICE_METRICS.rateLimitRejections}$`),
      )!;
      expect(declared.dimensions).toContainEqual(["tier"]);
    },
  );

  it.each(BREAKER_DEPENDENCIES)("alarms when most pods have the %s breaker open", (dependency) => {
    const alarm = alarms[`search-test-service-breaker-open-${dependency.replace(/_/g, "-")}`];
    expect(alarm).toMatchObject({
      metric_name: SERVICE_METRICS.breakerState,
      dimensions: { dependency },
      statistic: "Average",
      threshold: 1,
      evaluation_periods: 1,
      comparison_operator: "GreaterThanThreshold",
    });
    expect(alarm.alarm_description).toContain(`The ${dependency} circuit breaker is open`);
  });

  it("alarms when the metrics stop, rather than staying quiet", () => {
    expect(alarms["search-test-service-metrics-missing"]).toMatchObject({
      metric_name: SERVICE_METRICS.poolConnections,
      dimensions: { pool: "writer", state: "in_use" },
      statistic: "SampleCount",
      comparison_operator: "LessThanThreshold",
      treat_missing_data: "breaching",
    });
  });

  it.each(Object.keys(alarms))(
    "sends %s and its recovery to the topic, saying what to check",
    (name) => {
      expect(alarms[name].alarm_actions).toEqual([TOPIC]);
      expect(alarms[name].ok_actions).toEqual([TOPIC]);
      expect(alarms[name].alarm_description).toMatch(/Check (first: )?/);
      expect(alarms[name].alarm_description).toContain("search-test");
    },
  );

  it("fails when the latency objective is not positive", () => {
    expect(() => synth({ latencyP95Seconds: 0, serverErrorPercent: 100 })).toThrow(
      new InvalidPropsError("ServiceAlarms", [
        "`latencyP95Seconds` must be positive, got 0",
        "`serverErrorPercent` must be between 0 and 100, got 100",
      ]),
    );
  });

  it("fails on a tail-latency, hit-rate or rejection setting that cannot work", () => {
    expect(() =>
      synth({
        latencyP99CriticalSeconds: -1,
        cacheHitRateFloorPercent: 100,
        cacheMinimumLookupsPerMinute: 0.5,
        rateLimitRejectionPercent: { warning: 20, critical: 10 },
        minimumRequestsPerMinute: 0,
      }),
    ).toThrow(
      new InvalidPropsError("ServiceAlarms", [
        "`latencyP99CriticalSeconds` must be positive, got -1",
        "`cacheHitRateFloorPercent` must be from 0 to under 100, got 100",
        "`cacheMinimumLookupsPerMinute` must be a whole number ≥ 1, got 0.5",
        "`rateLimitRejectionPercent` must be 0 < warning < critical < 100, got 20 and 10",
        "`minimumRequestsPerMinute` must be a whole number ≥ 1, got 0",
      ]),
    );
  });
});
