import {
  type AuroraAlarmSubject,
  type DashboardBody,
  type GraphWidget,
  PlatformAlarms,
  PlatformDashboard,
  type PlatformDashboardProps,
  type RedisDashboardSubject,
  searchServiceMetricDeclarations,
} from "../../../constructs";
import { alarmsKey } from "../../support/references";
import { problemsOf, ref, synth } from "../../support/synth";

const REGION = ref("data.aws_region.Dashboard_Region_FD680402.region");

// GIVEN the shapes AuroraPostgres and RedisCache expose, as plain literals.
const database: AuroraAlarmSubject = {
  clusterIdentifier: "search-prod",
  instanceIdentifiers: ["search-prod-1", "search-prod-2"],
  readerInstanceIdentifiers: ["search-prod-2"],
};
const cache: RedisDashboardSubject = {
  replicationGroupId: "search-prod",
  memberClusterIds: ["search-prod-001", "search-prod-002"],
};

function build(props: PlatformDashboardProps = {}) {
  const s = synth((scope) => new PlatformDashboard(scope, "Dashboard", props));
  const dashboard = s.resource("aws_cloudwatch_dashboard");
  return { s, dashboard, body: JSON.parse(dashboard.dashboard_body) as DashboardBody };
}

function graphs(body: DashboardBody): Record<string, GraphWidget["properties"]> {
  return Object.fromEntries(
    body.widgets
      .filter((w): w is GraphWidget => w.type === "metric")
      .map((w) => [w.properties.title, w.properties]),
  );
}

function headings(body: DashboardBody): string[] {
  return body.widgets.flatMap((w) => (w.type === "text" ? [w.properties.markdown] : []));
}

describe("PlatformDashboard", () => {
  it("works with only its required props", () => {
    // WHEN nothing is given
    const { dashboard, body } = build();

    // THEN an empty dashboard named after the construct
    expect(dashboard.dashboard_name).toBe("test-dashboard");
    expect(body).toEqual({ start: "-PT6H", periodOverride: "inherit", widgets: [] });
  });

  it.each<[PlatformDashboardProps, string[]]>([
    [{ database }, ["## Aurora PostgreSQL `search-prod`"]],
    [{ cache }, ["## ElastiCache Redis `search-prod`"]],
    [{ eksClusterName: "search-prod" }, ["## EKS nodes `search-prod` (Container Insights)"]],
    [
      { database, cache, eksClusterName: "search-prod" },
      [
        "## Aurora PostgreSQL `search-prod`",
        "## ElastiCache Redis `search-prod`",
        "## EKS nodes `search-prod` (Container Insights)",
      ],
    ],
  ])("has a section for each subject given (%o)", (props, expected) => {
    expect(headings(build(props).body)).toEqual(expected);
  });

  it("graphs Aurora CPU, connections, replica lag and freeable memory per instance", () => {
    const g = graphs(build({ database }).body);

    expect(Object.keys(g)).toEqual([
      "CPU utilization (%)",
      "Database connections",
      "Replica lag (ms)",
      "Freeable memory (bytes)",
    ]);
    expect(g["CPU utilization (%)"]).toMatchObject({
      region: REGION,
      stat: "Average",
      metrics: [
        [
          "AWS/RDS",
          "CPUUtilization",
          "DBInstanceIdentifier",
          "search-prod-1",
          { label: "search-prod-1" },
        ],
        [
          "AWS/RDS",
          "CPUUtilization",
          "DBInstanceIdentifier",
          "search-prod-2",
          { label: "search-prod-2" },
        ],
      ],
      annotations: { horizontal: [{ label: "alarm", value: 80 }] },
    });
    expect(g["Replica lag (ms)"].metrics).toEqual([
      [
        "AWS/RDS",
        "AuroraReplicaLag",
        "DBInstanceIdentifier",
        "search-prod-2",
        { label: "search-prod-2" },
      ],
    ]);
  });

  it("leaves out the replica lag graph when there is no reader", () => {
    const g = graphs(
      build({
        database: {
          ...database,
          instanceIdentifiers: ["search-prod-1"],
          readerInstanceIdentifiers: [],
        },
      }).body,
    );

    expect(g).not.toHaveProperty(["Replica lag (ms)"]);
  });

  it("graphs ElastiCache engine CPU, memory, evictions, and hits, misses and hit rate", () => {
    const g = graphs(build({ cache }).body);

    expect(Object.keys(g)).toEqual([
      "Engine CPU utilization (%)",
      "Memory used (% of maxmemory)",
      "Evictions",
      "Cache hits, misses and hit rate (%)",
    ]);
    expect(g["Evictions"]).toMatchObject({
      stat: "Sum",
      metrics: [
        [
          "AWS/ElastiCache",
          "Evictions",
          "CacheClusterId",
          "search-prod-001",
          { label: "search-prod-001" },
        ],
        [
          "AWS/ElastiCache",
          "Evictions",
          "CacheClusterId",
          "search-prod-002",
          { label: "search-prod-002" },
        ],
      ],
    });
    expect(g["Cache hits, misses and hit rate (%)"].metrics).toEqual([
      [
        "AWS/ElastiCache",
        "CacheHits",
        "CacheClusterId",
        "search-prod-001",
        { id: "h0", visible: false },
      ],
      [
        "AWS/ElastiCache",
        "CacheHits",
        "CacheClusterId",
        "search-prod-002",
        { id: "h1", visible: false },
      ],
      [
        "AWS/ElastiCache",
        "CacheMisses",
        "CacheClusterId",
        "search-prod-001",
        { id: "m0", visible: false },
      ],
      [
        "AWS/ElastiCache",
        "CacheMisses",
        "CacheClusterId",
        "search-prod-002",
        { id: "m1", visible: false },
      ],
      [{ id: "hits", expression: 'SUM(METRICS("h"))', label: "hits" }],
      [{ id: "misses", expression: 'SUM(METRICS("m"))', label: "misses" }],
      [
        {
          id: "hitrate",
          expression: "100 * hits / (hits + misses)",
          label: "hit rate (%)",
          yAxis: "right",
        },
      ],
    ]);
  });

  it("graphs EKS nodes from Container Insights by cluster name", () => {
    const g = graphs(build({ eksClusterName: "search-prod" }).body);

    expect(
      Object.fromEntries(
        Object.entries(g).map(([title, p]) => [title, p.metrics.map((m) => m.slice(0, 4))]),
      ),
    ).toEqual({
      "Node CPU utilization (%)": [
        ["ContainerInsights", "node_cpu_utilization", "ClusterName", "search-prod"],
      ],
      "Node memory utilization (%)": [
        ["ContainerInsights", "node_memory_utilization", "ClusterName", "search-prod"],
      ],
      "Node filesystem utilization (%)": [
        ["ContainerInsights", "node_filesystem_utilization", "ClusterName", "search-prod"],
      ],
      Nodes: [
        ["ContainerInsights", "cluster_node_count", "ClusterName", "search-prod"],
        ["ContainerInsights", "cluster_failed_node_count", "ClusterName", "search-prod"],
      ],
    });
  });

  it("draws the alarms' thresholds on the graphs", () => {
    const g = graphs(
      build({
        database,
        cache,
        eksClusterName: "search-prod",
        thresholds: { auroraCpuPercent: 70, redisMemoryPercent: 90, nodeCpuPercent: 60 },
      }).body,
    );

    expect(g["CPU utilization (%)"].annotations).toEqual({
      horizontal: [{ label: "alarm", value: 70 }],
    });
    expect(g["Memory used (% of maxmemory)"].annotations).toEqual({
      horizontal: [{ label: "alarm", value: 90 }],
    });
    expect(g["Node CPU utilization (%)"].annotations).toEqual({
      horizontal: [{ label: "alarm", value: 60 }],
    });
  });

  it("draws no memory threshold for an allkeys-* cache, which has no memory alarm", () => {
    const g = graphs(build({ cache: { ...cache, evictionPolicy: "allkeys-lru" } }).body);

    expect(g["Memory used (% of maxmemory)"].annotations).toBeUndefined();
  });

  it("graphs the search service's metrics under the names and dimensions the collector publishes", () => {
    const { body } = build({
      service: { metricsNamespace: "SearchPlatform/prod", latencyP95Seconds: 0.2 },
    });

    expect(headings(body)).toEqual(["## Search service"]);
    const g = graphs(body);
    expect(g["Search latency, slowest pod (s)"]).toMatchObject({
      stat: "Maximum",
      metrics: [
        [
          "SearchPlatform/prod",
          "http_request_duration_quantiles_seconds",
          "quantile",
          "0.95",
          { label: "p95" },
        ],
        [
          "SearchPlatform/prod",
          "http_request_duration_quantiles_seconds",
          "quantile",
          "0.99",
          { label: "p99" },
        ],
      ],
      annotations: { horizontal: [{ label: "p95 SLO", value: 0.2 }] },
    });
    expect(g["Requests by status class"].metrics.map((m) => m.slice(1, 4))).toEqual(
      ["1xx", "2xx", "3xx", "4xx", "5xx"].map((c) => [
        "http_request_duration_seconds",
        "status_class",
        c,
      ]),
    );
    expect(
      g["Circuit breakers (0 closed, 1 half-open, 2 open; mean over pods)"].metrics.map(
        (m) => m[3],
      ),
    ).toEqual(["postgres_writer", "postgres_reader", "redis"]);
    expect(g["Search cache lookups"].metrics.map((m) => m[3])).toEqual(["hit", "miss", "stale"]);
    expect(g["Requests refused with 429, by tier"].metrics.map((m) => m[3])).toEqual([
      "free",
      "standard",
      "enterprise",
      "ip",
    ]);
    // every series is one an export rule of the collector produces
    for (const graph of Object.values(g)) {
      for (const [, metricName, dimension] of graph.metrics as readonly (readonly string[])[]) {
        const rules = searchServiceMetricDeclarations().filter((d) =>
          d.metric_name_selectors.includes(`^${metricName}$`),
        );
        expect(rules.flatMap((r) => r.dimensions)).toContainEqual([dimension]);
      }
    }
  });

  it("shows the state of every alarm, including alarms added after the dashboard", () => {
    // GIVEN a dashboard created before the last alarm was added
    const s = synth((scope) => {
      const alarms = new PlatformAlarms(scope, "Alarms", { key: alarmsKey });
      alarms.addAlarm("first", {
        description: "First. Check first: one.",
        metric: { namespace: "Search", metricName: "one" },
        comparison: "GreaterThanThreshold",
        threshold: 1,
      });
      new PlatformDashboard(scope, "Dashboard", { alarms });
      alarms.addAlarm("second", {
        description: "Second. Check first: two.",
        metric: { namespace: "Search", metricName: "two" },
        comparison: "GreaterThanThreshold",
        threshold: 1,
      });
    });

    // THEN both are on it
    const body = JSON.parse(s.resource("aws_cloudwatch_dashboard").dashboard_body) as DashboardBody;
    expect(body.widgets.filter((w) => w.type === "alarm")).toEqual([
      {
        type: "alarm",
        x: 0,
        y: 1,
        width: 24,
        height: 6,
        properties: {
          title: "Alarms",
          sortBy: "stateUpdatedTimestamp",
          alarms: [
            ref("aws_cloudwatch_metric_alarm.Alarms_first_537ACD72.arn"),
            ref("aws_cloudwatch_metric_alarm.Alarms_second_36B9B71C.arn"),
          ],
        },
      },
    ]);
  });

  it("splits more than 100 alarms over several widgets", () => {
    const alarmArns = Array.from(
      { length: 150 },
      (_, i) => `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a${i}`,
    );

    const widgets = build({ alarms: { alarmArns } }).body.widgets.filter((w) => w.type === "alarm");

    expect(widgets.map((w) => [w.properties.title, w.properties.alarms.length])).toEqual([
      ["Alarms (1)", 100],
      ["Alarms (2)", 50],
    ]);
  });

  it("lays widgets out on the 24-column grid without overlaps", () => {
    const { body } = build({
      database,
      cache,
      eksClusterName: "search-prod",
      alarms: { alarmArns: ["arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a"] },
    });

    const cells = new Set<string>();
    for (const w of body.widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it("uses the region it is given", () => {
    const g = graphs(build({ database, region: "eu-central-1" }).body);

    for (const properties of Object.values(g)) expect(properties.region).toBe("eu-central-1");
  });

  it("fails when the dashboard name has a space", () => {
    expect(problemsOf(() => build({ dashboardName: "search prod" }))).toEqual([
      '`dashboardName` must be 1-255 letters, digits, hyphens or underscores, got "search prod"',
    ]);
  });
});
