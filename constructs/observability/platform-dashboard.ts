import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { isKnown, resourceName, validateProps } from "../core";
import { evictsAnyKey, type RedisEvictionPolicy } from "../data/redis-cache";
import {
  BREAKER_DEPENDENCIES,
  CACHE_RESULTS,
  P95_QUANTILE,
  P99_QUANTILE,
  RATE_LIMIT_TIERS,
  SERVICE_METRICS,
  STATUS_CLASS_LABEL,
  STATUS_CLASSES,
} from "../workloads/service-metrics";
import {
  type AuroraAlarmSubject,
  type PlatformAlarmThresholds,
  withDefaultThresholds,
} from "./platform-alarms";

/**
 * The dashboard body, typed after CloudWatch's dashboard body structure.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */
export interface DashboardBody {
  readonly start?: string;
  readonly periodOverride?: "auto" | "inherit";
  readonly widgets: readonly DashboardWidget[];
}

export type DashboardWidget = GraphWidget | AlarmStatusWidget | TextWidget;

interface WidgetPosition {
  /** Column, 0-23 of the 24-column grid. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** How one line of a graph is drawn (the last element of a metric row). */
export interface MetricRendering {
  readonly id?: string;
  readonly label?: string;
  readonly stat?: string;
  readonly visible?: boolean;
  readonly expression?: string;
  readonly yAxis?: "left" | "right";
}

/**
 * One line of a graph: namespace, metric name and dimension name/value pairs, optionally
 * followed by its rendering; or a metric math expression alone.
 */
export type MetricRow =
  | readonly [namespace: string, metricName: string, ...rest: (string | MetricRendering)[]]
  | readonly [MetricRendering];

export interface GraphWidget extends WidgetPosition {
  readonly type: "metric";
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: "timeSeries";
    readonly stacked: boolean;
    readonly period: number;
    readonly stat: string;
    readonly metrics: readonly MetricRow[];
    readonly yAxis?: { readonly left: { readonly min?: number; readonly max?: number } };
    readonly annotations?: {
      readonly horizontal: readonly { readonly label: string; readonly value: number }[];
    };
  };
}

export interface AlarmStatusWidget extends WidgetPosition {
  readonly type: "alarm";
  readonly properties: {
    readonly title: string;
    readonly alarms: readonly string[];
    readonly sortBy: "stateUpdatedTimestamp";
  };
}

export interface TextWidget extends WidgetPosition {
  readonly type: "text";
  readonly properties: { readonly markdown: string };
}

/** An ElastiCache replication group's nodes (a `RedisCache` is one). */
export interface RedisDashboardSubject {
  readonly replicationGroupId: string;
  readonly memberClusterIds: readonly string[];
  /**
   * `maxmemory-policy`: the memory graph shows the alarm's threshold only where PlatformAlarms
   * makes a memory alarm (not with `allkeys-*`).
   * @default - unknown: the threshold is shown
   */
  readonly evictionPolicy?: RedisEvictionPolicy;
}

/** The search service's metrics in CloudWatch (what ServiceAlarms watches). */
export interface ServiceDashboardSubject {
  /** The CloudWatch namespace the metrics collector writes to. */
  readonly metricsNamespace: string;
  /**
   * The SLO's p95 search latency, in seconds, drawn on the latency graph.
   * @default - no line
   */
  readonly latencyP95Seconds?: number;
}

/** Something that has alarms (a `PlatformAlarms` or a `ServiceAlarms` is one). */
export interface AlarmSource {
  readonly alarmArns: readonly string[];
}

export interface PlatformDashboardProps {
  /**
   * Letters, digits, hyphens and underscores, up to 255.
   * @default - the construct's path below its stack, lowercased with dashes
   */
  readonly dashboardName?: string;
  /**
   * Aurora graphs: CPU, connections, replica lag and freeable memory per instance.
   * @default - no Aurora section
   */
  readonly database?: AuroraAlarmSubject;
  /**
   * ElastiCache graphs: engine CPU, memory, evictions, and hits, misses and hit rate per node.
   * @default - no ElastiCache section
   */
  readonly cache?: RedisDashboardSubject;
  /**
   * EKS graphs from Container Insights: node CPU, memory and filesystem, node counts.
   * @default - no EKS section
   */
  readonly eksClusterName?: string;
  /**
   * Search service graphs: search latency p95 and p99, requests by status class, circuit
   * breakers, cache lookups, requests refused with 429 by tier.
   * @default - no service section
   */
  readonly service?: ServiceDashboardSubject;
  /**
   * Alarms whose state is shown at the top. Read when the stack is synthesized, so alarms
   * added to a PlatformAlarms after the dashboard was created are shown too.
   * @default - no alarm section
   */
  readonly alarms?: AlarmSource;
  /**
   * Thresholds drawn as horizontal lines on the graphs; pass the alarms' thresholds so the
   * lines are where the alarms fire.
   * @default - the PlatformAlarms defaults
   */
  readonly thresholds?: PlatformAlarmThresholds;
  /**
   * Region of the metrics.
   * @default - the AWS provider's region
   */
  readonly region?: string;
}

const GRID_WIDTH = 24;
const GRAPH_WIDTH = 12;
const GRAPH_HEIGHT = 6;
/** CloudWatch shows at most 100 alarms in one alarm status widget. */
const ALARMS_PER_WIDGET = 100;

/**
 * One CloudWatch dashboard for an environment: alarm states first, then Aurora, ElastiCache, EKS
 * node and search service graphs, each section only when its subject is given. The body is built from typed
 * objects and serialized when the stack is synthesized.
 */
export class PlatformDashboard extends Construct {
  public readonly dashboardName: string;
  public readonly dashboardArn: string;

  constructor(scope: Construct, id: string, props: PlatformDashboardProps) {
    super(scope, id);

    const dashboardName = props.dashboardName ?? resourceName(this, undefined, 255);
    const thresholds = withDefaultThresholds(props.thresholds);
    const region = props.region ?? new DataAwsRegion(this, "Region").region;

    validateProps("PlatformDashboard", [
      {
        violated: isKnown(dashboardName) && !/^[A-Za-z0-9_-]{1,255}$/.test(dashboardName),
        message: `\`dashboardName\` must be 1-255 letters, digits, hyphens or underscores, got "${dashboardName}"`,
      },
    ]);

    const body = (): DashboardBody => {
      const layout = new GridLayout();
      if (props.alarms) alarmSection(layout, props.alarms.alarmArns);
      if (props.database) databaseSection(layout, props.database, region, thresholds);
      if (props.cache) cacheSection(layout, props.cache, region, thresholds);
      if (props.eksClusterName !== undefined) {
        nodeSection(layout, props.eksClusterName, region, thresholds);
      }
      if (props.service) serviceSection(layout, props.service, region);
      return { start: "-PT6H", periodOverride: "inherit", widgets: layout.widgets };
    };

    const dashboard = new CloudwatchDashboard(this, "Dashboard", {
      dashboardName,
      dashboardBody: Lazy.stringValue({ produce: () => JSON.stringify(body()) }),
    });
    this.dashboardName = dashboardName;
    this.dashboardArn = dashboard.dashboardArn;
  }
}

/** Places widgets left to right in rows of the 24-column grid. */
class GridLayout {
  public readonly widgets: DashboardWidget[] = [];
  private x = 0;
  private y = 0;
  private rowHeight = 0;

  public heading(markdown: string): void {
    this.newRow();
    this.place({ type: "text", width: GRID_WIDTH, height: 1, properties: { markdown } });
  }

  public place<W extends DashboardWidget>(widget: Omit<W, "x" | "y">): void {
    if (this.x + widget.width > GRID_WIDTH) this.newRow();
    this.widgets.push({ ...widget, x: this.x, y: this.y } as DashboardWidget);
    this.x += widget.width;
    this.rowHeight = Math.max(this.rowHeight, widget.height);
  }

  private newRow(): void {
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

function graph(
  title: string,
  region: string,
  metrics: readonly MetricRow[],
  options: {
    stat?: string;
    period?: number;
    yAxis?: GraphWidget["properties"]["yAxis"];
    threshold?: { label: string; value: number };
  } = {},
): Omit<GraphWidget, "x" | "y"> {
  return {
    type: "metric",
    width: GRAPH_WIDTH,
    height: GRAPH_HEIGHT,
    properties: {
      title,
      region,
      view: "timeSeries",
      stacked: false,
      period: options.period ?? 60,
      stat: options.stat ?? "Average",
      metrics,
      ...(options.yAxis ? { yAxis: options.yAxis } : {}),
      ...(options.threshold ? { annotations: { horizontal: [options.threshold] } } : {}),
    },
  };
}

const PERCENT_AXIS = { left: { min: 0, max: 100 } };

function alarmSection(layout: GridLayout, alarmArns: readonly string[]): void {
  if (alarmArns.length === 0) return;
  layout.heading("## Alarms");
  for (let i = 0; i < alarmArns.length; i += ALARMS_PER_WIDGET) {
    layout.place<AlarmStatusWidget>({
      type: "alarm",
      width: GRID_WIDTH,
      height: GRAPH_HEIGHT,
      properties: {
        title:
          alarmArns.length > ALARMS_PER_WIDGET ? `Alarms (${i / ALARMS_PER_WIDGET + 1})` : "Alarms",
        alarms: alarmArns.slice(i, i + ALARMS_PER_WIDGET),
        sortBy: "stateUpdatedTimestamp",
      },
    });
  }
}

function databaseSection(
  layout: GridLayout,
  database: AuroraAlarmSubject,
  region: string,
  t: Required<PlatformAlarmThresholds>,
): void {
  const perInstance = (metricName: string, instances: readonly string[]): MetricRow[] =>
    instances.map((i) => ["AWS/RDS", metricName, "DBInstanceIdentifier", i, { label: i }]);
  layout.heading(`## Aurora PostgreSQL \`${database.clusterIdentifier}\``);
  layout.place(
    graph(
      "CPU utilization (%)",
      region,
      perInstance("CPUUtilization", database.instanceIdentifiers),
      {
        yAxis: PERCENT_AXIS,
        threshold: { label: "alarm", value: t.auroraCpuPercent },
      },
    ),
  );
  layout.place(
    graph(
      "Database connections",
      region,
      perInstance("DatabaseConnections", database.instanceIdentifiers),
      { stat: "Maximum" },
    ),
  );
  if (database.readerInstanceIdentifiers.length > 0) {
    layout.place(
      graph(
        "Replica lag (ms)",
        region,
        perInstance("AuroraReplicaLag", database.readerInstanceIdentifiers),
        { stat: "Maximum", threshold: { label: "alarm", value: t.auroraReplicaLagMs } },
      ),
    );
  }
  layout.place(
    graph(
      "Freeable memory (bytes)",
      region,
      perInstance("FreeableMemory", database.instanceIdentifiers),
      { stat: "Minimum" },
    ),
  );
}

function cacheSection(
  layout: GridLayout,
  cache: RedisDashboardSubject,
  region: string,
  t: Required<PlatformAlarmThresholds>,
): void {
  const nodes = cache.memberClusterIds;
  const perNode = (metricName: string): MetricRow[] =>
    nodes.map((n) => ["AWS/ElastiCache", metricName, "CacheClusterId", n, { label: n }]);
  layout.heading(`## ElastiCache Redis \`${cache.replicationGroupId}\``);
  layout.place(
    graph("Engine CPU utilization (%)", region, perNode("EngineCPUUtilization"), {
      yAxis: PERCENT_AXIS,
      threshold: { label: "alarm", value: t.redisEngineCpuPercent },
    }),
  );
  layout.place(
    graph("Memory used (% of maxmemory)", region, perNode("DatabaseMemoryUsagePercentage"), {
      yAxis: PERCENT_AXIS,
      threshold: evictsAnyKey(cache.evictionPolicy)
        ? undefined
        : { label: "alarm", value: t.redisMemoryPercent },
    }),
  );
  layout.place(graph("Evictions", region, perNode("Evictions"), { stat: "Sum" }));
  // Hits and misses of every node feed one hit-rate line; ids h0.., m0.. are what METRICS()
  // selects by prefix.
  const counts = (metricName: string, prefix: string): MetricRow[] =>
    nodes.map((n, i) => [
      "AWS/ElastiCache",
      metricName,
      "CacheClusterId",
      n,
      { id: `${prefix}${i}`, visible: false },
    ]);
  layout.place(
    graph(
      "Cache hits, misses and hit rate (%)",
      region,
      [
        ...counts("CacheHits", "h"),
        ...counts("CacheMisses", "m"),
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
      ],
      { stat: "Sum" },
    ),
  );
}

function nodeSection(
  layout: GridLayout,
  clusterName: string,
  region: string,
  t: Required<PlatformAlarmThresholds>,
): void {
  const insights = (metricName: string, label: string): MetricRow => [
    "ContainerInsights",
    metricName,
    "ClusterName",
    clusterName,
    { label },
  ];
  layout.heading(`## EKS nodes \`${clusterName}\` (Container Insights)`);
  layout.place(
    graph("Node CPU utilization (%)", region, [insights("node_cpu_utilization", "average")], {
      yAxis: PERCENT_AXIS,
      threshold: { label: "alarm", value: t.nodeCpuPercent },
    }),
  );
  layout.place(
    graph("Node memory utilization (%)", region, [insights("node_memory_utilization", "average")], {
      yAxis: PERCENT_AXIS,
      threshold: { label: "alarm", value: t.nodeMemoryPercent },
    }),
  );
  layout.place(
    graph(
      "Node filesystem utilization (%)",
      region,
      [insights("node_filesystem_utilization", "average")],
      { yAxis: PERCENT_AXIS },
    ),
  );
  layout.place(
    graph(
      "Nodes",
      region,
      [
        insights("cluster_node_count", "nodes"),
        insights("cluster_failed_node_count", "failed nodes"),
      ],
      { stat: "Maximum" },
    ),
  );
}

function serviceSection(
  layout: GridLayout,
  service: ServiceDashboardSubject,
  region: string,
): void {
  const ns = service.metricsNamespace;
  const row = (metricName: string, name: string, value: string, label = value): MetricRow => [
    ns,
    metricName,
    name,
    value,
    { label },
  ];
  layout.heading("## Search service");
  layout.place(
    graph(
      "Search latency, slowest pod (s)",
      region,
      [
        row(SERVICE_METRICS.latencyQuantiles, "quantile", P95_QUANTILE, "p95"),
        row(SERVICE_METRICS.latencyQuantiles, "quantile", P99_QUANTILE, "p99"),
      ],
      {
        stat: "Maximum",
        ...(service.latencyP95Seconds !== undefined
          ? { threshold: { label: "p95 SLO", value: service.latencyP95Seconds } }
          : {}),
      },
    ),
  );
  layout.place(
    graph(
      "Requests by status class",
      region,
      STATUS_CLASSES.map((cls) => row(SERVICE_METRICS.requestDuration, STATUS_CLASS_LABEL, cls)),
      { stat: "SampleCount" },
    ),
  );
  layout.place(
    graph(
      "Circuit breakers (0 closed, 1 half-open, 2 open; mean over pods)",
      region,
      BREAKER_DEPENDENCIES.map((d) => row(SERVICE_METRICS.breakerState, "dependency", d)),
      { yAxis: { left: { min: 0, max: 2 } } },
    ),
  );
  layout.place(
    graph(
      "Search cache lookups",
      region,
      Object.values(CACHE_RESULTS).map((result) =>
        row(SERVICE_METRICS.cacheRequests, "result", result),
      ),
      { stat: "Sum" },
    ),
  );
  layout.place(
    graph(
      "Requests refused with 429, by tier",
      region,
      RATE_LIMIT_TIERS.map((tier) => row(SERVICE_METRICS.rateLimitRejections, "tier", tier)),
      { stat: "Sum" },
    ),
  );
}
