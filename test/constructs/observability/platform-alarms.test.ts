import { TerraformVariable, Token } from "cdktf";
import {
  type AlarmTopicReference,
  type DatabaseAlarmsOptions,
  PlatformAlarms,
  type PlatformAlarmsProps,
  type PlatformAlarmThresholds,
  type RedisAlarmSubject,
} from "../../../constructs";
import { alarmsKey } from "../../support/references";
import { problemsOf, ref, synth, type TfBlock } from "../../support/synth";

const TOPIC_ARN = ref("aws_sns_topic.Alarms_Topic_FB8030DD.arn");
const GIB = 1024 ** 3;

// GIVEN the shapes AuroraPostgres and RedisCache expose, as plain literals.
const database: DatabaseAlarmsOptions = {
  cluster: {
    clusterIdentifier: "search-prod",
    instanceIdentifiers: ["search-prod-1", "search-prod-2", "search-prod-3"],
    readerInstanceIdentifiers: ["search-prod-2", "search-prod-3"],
  },
  instanceMemoryGiB: 32, // db.r7g.xlarge
  maxConnections: 3357, // its default max_connections
};
const cache: RedisAlarmSubject = {
  replicationGroupId: "search-prod",
  memberClusterIds: ["search-prod-001", "search-prod-002"],
  replicasPerShard: 1,
};

function build(props: Partial<PlatformAlarmsProps> = {}) {
  return synth((scope) => new PlatformAlarms(scope, "Alarms", { key: alarmsKey, ...props }));
}

/** Alarms by name without the `test-alarms-` prefix. */
function alarmsOf(s: ReturnType<typeof build>): Record<string, TfBlock> {
  return Object.fromEntries(
    Object.values(s.resources("aws_cloudwatch_metric_alarm")).map((a) => [
      a.alarm_name.replace(/^test-alarms-/, ""),
      a,
    ]),
  );
}

describe("PlatformAlarms", () => {
  it("works with only its required props", () => {
    // WHEN
    const s = build();

    // THEN an encrypted topic with its policy, and no alarm or subscription yet
    expect(s.resource("aws_sns_topic")).toEqual({
      name: "test-alarms-alarms",
      kms_master_key_id: alarmsKey.arn,
    });
    expect(s.resource("aws_sns_topic_policy")).toEqual({
      arn: TOPIC_ARN,
      policy: ref("data.aws_iam_policy_document.Alarms_TopicPolicyDocument_7238DDB1.json"),
    });
    expect(s.resources("aws_cloudwatch_metric_alarm")).toEqual({});
    expect(s.resources("aws_sns_topic_subscription")).toEqual({});
    const topic: AlarmTopicReference = s.built;
    expect(Token.isUnresolved(topic.topicArn)).toBe(true);
    expect(s.built.alarmArns).toEqual([]);
  });

  it("lets only this account's CloudWatch alarms publish, and only over TLS", () => {
    const s = build();

    const policy = s.dataSources("aws_iam_policy_document").Alarms_TopicPolicyDocument_7238DDB1;
    const account = ref("data.aws_caller_identity.Alarms_Account_70561B29.account_id");
    expect(policy.statement).toEqual([
      {
        sid: "CloudWatchAlarmsOfThisAccountPublish",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [TOPIC_ARN],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
          {
            test: "ArnLike",
            variable: "aws:SourceArn",
            values: [
              `arn:${ref("data.aws_partition.Alarms_Partition_A039E565.partition")}:cloudwatch:` +
                `${ref("data.aws_region.Alarms_Region_50F26BF6.region")}:${account}:alarm:*`,
            ],
          },
        ],
      },
      {
        sid: "DenyRequestsWithoutTls",
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: ["sns:*"],
        resources: [TOPIC_ARN],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ]);
  });

  it("subscribes every email address", () => {
    const s = build({ emails: ["oncall@example.com", "search-team@example.com"] });

    expect(
      Object.values(s.resources("aws_sns_topic_subscription")).map((sub) => [
        sub.protocol,
        sub.endpoint,
        sub.topic_arn,
      ]),
    ).toEqual([
      ["email", "oncall@example.com", TOPIC_ARN],
      ["email", "search-team@example.com", TOPIC_ARN],
    ]);
  });

  describe("Aurora", () => {
    it("alarms on every instance, and on replica lag on the readers", () => {
      const names = Object.keys(alarmsOf(build({ database }))).sort();

      expect(names).toEqual(
        [
          ...database.cluster.instanceIdentifiers.flatMap((i) => [
            `aurora-${i}-cpu`,
            `aurora-${i}-freeable-memory`,
            `aurora-${i}-connections`,
            `aurora-${i}-deadlocks`,
            `aurora-${i}-free-local-storage`,
          ]),
          "aurora-search-prod-2-replica-lag",
          "aurora-search-prod-3-replica-lag",
        ].sort(),
      );
    });

    it("sets each alarm's metric, statistic, window and missing-data treatment", () => {
      const alarms = alarmsOf(build({ database }));

      const shape = (a: TfBlock) => [
        a.namespace,
        a.metric_name,
        a.dimensions,
        a.statistic,
        a.comparison_operator,
        a.period,
        a.evaluation_periods,
        a.datapoints_to_alarm,
        a.treat_missing_data,
      ];
      const writer = { DBInstanceIdentifier: "search-prod-1" };
      expect(shape(alarms["aurora-search-prod-1-cpu"])).toEqual([
        "AWS/RDS",
        "CPUUtilization",
        writer,
        "Average",
        "GreaterThanThreshold",
        300,
        3,
        3,
        "missing",
      ]);
      expect(shape(alarms["aurora-search-prod-1-freeable-memory"])).toEqual([
        "AWS/RDS",
        "FreeableMemory",
        writer,
        "Average",
        "LessThanThreshold",
        300,
        3,
        3,
        "missing",
      ]);
      expect(shape(alarms["aurora-search-prod-1-connections"])).toEqual([
        "AWS/RDS",
        "DatabaseConnections",
        writer,
        "Maximum",
        "GreaterThanThreshold",
        60,
        5,
        5,
        "missing",
      ]);
      expect(shape(alarms["aurora-search-prod-1-deadlocks"])).toEqual([
        "AWS/RDS",
        "Deadlocks",
        writer,
        "Maximum",
        "GreaterThanThreshold",
        300,
        3,
        2,
        "missing",
      ]);
      expect(shape(alarms["aurora-search-prod-1-free-local-storage"])).toEqual([
        "AWS/RDS",
        "FreeLocalStorage",
        writer,
        "Average",
        "LessThanThreshold",
        300,
        3,
        3,
        "missing",
      ]);
      expect(shape(alarms["aurora-search-prod-2-replica-lag"])).toEqual([
        "AWS/RDS",
        "AuroraReplicaLag",
        { DBInstanceIdentifier: "search-prod-2" },
        "Maximum",
        "GreaterThanThreshold",
        60,
        5,
        5,
        "notBreaching",
      ]);
    });

    it.each<[number, number, PlatformAlarmThresholds, number, number, number]>([
      // memory GiB, max_connections, thresholds, freeable bytes, connections, local storage bytes
      [32, 3357, {}, Math.round(3.2 * GIB), 2685, Math.round(3.2 * GIB)],
      [16, 1678, {}, Math.round(1.6 * GIB), 1342, Math.round(1.6 * GIB)],
      [
        4,
        420,
        {
          auroraFreeableMemoryPercent: 25,
          auroraConnectionsPercent: 50,
          auroraFreeLocalStoragePercent: 20,
        },
        1 * GIB,
        210,
        Math.round(0.8 * GIB),
      ],
    ])(
      "computes thresholds from %i GiB and max_connections %i (%o)",
      (instanceMemoryGiB, maxConnections, thresholds, freeable, connections, localStorage) => {
        const alarms = alarmsOf(
          build({ database: { ...database, instanceMemoryGiB, maxConnections }, thresholds }),
        );

        expect(alarms["aurora-search-prod-1-freeable-memory"].threshold).toBe(freeable);
        expect(alarms["aurora-search-prod-1-connections"].threshold).toBe(connections);
        expect(alarms["aurora-search-prod-1-free-local-storage"].threshold).toBe(localStorage);
      },
    );

    it("alarms on readers by role when Auto Scaling can add readers Terraform does not know", () => {
      // GIVEN two provisioned readers and up to five
      const alarms = alarmsOf(
        build({ database: { ...database, cluster: { ...database.cluster, maxReaders: 5 } } }),
      );

      // THEN the writer keeps its instance alarms; every reader is watched through Role=READER
      const metrics = ["cpu", "freeable-memory", "connections", "deadlocks", "free-local-storage"];
      expect(Object.keys(alarms).sort()).toEqual(
        [
          ...metrics.map((m) => `aurora-search-prod-1-${m}`),
          ...[...metrics, "replica-lag"].map((m) => `aurora-search-prod-readers-${m}`),
        ].sort(),
      );
      const readers = { DBClusterIdentifier: "search-prod", Role: "READER" };
      expect(
        Object.entries(alarms)
          .filter(([name]) => name.startsWith("aurora-search-prod-readers-"))
          .map(([name, a]) => [name, a.dimensions, a.statistic, a.treat_missing_data])
          .sort(),
      ).toEqual([
        ["aurora-search-prod-readers-connections", readers, "Maximum", "notBreaching"],
        ["aurora-search-prod-readers-cpu", readers, "Maximum", "notBreaching"],
        ["aurora-search-prod-readers-deadlocks", readers, "Maximum", "notBreaching"],
        ["aurora-search-prod-readers-free-local-storage", readers, "Minimum", "notBreaching"],
        ["aurora-search-prod-readers-freeable-memory", readers, "Minimum", "notBreaching"],
        ["aurora-search-prod-readers-replica-lag", readers, "Maximum", "notBreaching"],
      ]);
      expect(alarms["aurora-search-prod-readers-cpu"].alarm_description).toMatch(
        /^Aurora search-prod's readers \(the worst of up to 5, Auto Scaling's included\) CPU > 80% for 15 min\. Check first: /,
      );
    });

    it("alarms on readers by instance when every reader is provisioned", () => {
      const alarms = alarmsOf(
        build({ database: { ...database, cluster: { ...database.cluster, maxReaders: 2 } } }),
      );

      expect(Object.keys(alarms).filter((n) => n.includes("readers"))).toEqual([]);
      expect(alarms).toHaveProperty(["aurora-search-prod-3-replica-lag"]);
    });

    it.each<[string, Partial<DatabaseAlarmsOptions["cluster"]>, string]>([
      [
        "fails when maxReaders is not a whole number",
        { maxReaders: 1.5 },
        "`database.cluster.maxReaders` must be a whole number ≥ 0, got 1.5",
      ],
      [
        "fails when readers scale out and the cluster identifier is a token",
        { clusterIdentifier: Token.asString({ Ref: "cluster" }), maxReaders: 5 },
        "`database.cluster.clusterIdentifier` must be known at synth time when readers scale out (their alarms are named after it), got a Terraform token",
      ],
    ])("%s", (_name, cluster, problem) => {
      expect(
        problemsOf(() =>
          build({ database: { ...database, cluster: { ...database.cluster, ...cluster } } }),
        ),
      ).toEqual([problem]);
    });

    it("takes CPU, lag and deadlock thresholds from props", () => {
      const alarms = alarmsOf(
        build({
          database,
          thresholds: {
            auroraCpuPercent: 70,
            auroraReplicaLagMs: 500,
            auroraDeadlocksPerSecond: 1,
          },
        }),
      );

      expect(alarms["aurora-search-prod-1-cpu"].threshold).toBe(70);
      expect(alarms["aurora-search-prod-2-replica-lag"].threshold).toBe(500);
      expect(alarms["aurora-search-prod-1-deadlocks"].threshold).toBe(1);
    });

    it("states the computed threshold in the description", () => {
      const alarms = alarmsOf(build({ database }));

      expect(alarms["aurora-search-prod-1-connections"].alarm_description).toBe(
        "Aurora search-prod-1 connections > 80% of max_connections (2685 of 3357) for 5 min. " +
          "Check first: pods × pool size against max_connections (did the HPA scale out?) and " +
          "idle-in-transaction sessions in pg_stat_activity.",
      );
      expect(alarms["aurora-search-prod-1-freeable-memory"].alarm_description).toMatch(
        /^Aurora search-prod-1 freeable memory < 10% of 32 GiB \(3\.2 GiB\) for 15 min\. Check first: /,
      );
    });
  });

  describe("ElastiCache", () => {
    it("alarms on every node, with replication lag only when there are replicas", () => {
      const withReplicas = Object.keys(alarmsOf(build({ cache }))).sort();
      const withoutReplicas = Object.keys(
        alarmsOf(
          build({
            cache: { ...cache, memberClusterIds: ["search-prod-001"], replicasPerShard: 0 },
          }),
        ),
      ).sort();

      const perNode = (node: string) =>
        [
          `redis-${node}-engine-cpu`,
          `redis-${node}-memory`,
          `redis-${node}-swap`,
          `redis-${node}-evictions`,
          `redis-${node}-connections`,
        ] as string[];
      expect(withReplicas).toEqual(
        [
          ...perNode("search-prod-001"),
          ...perNode("search-prod-002"),
          "redis-search-prod-001-replication-lag",
          "redis-search-prod-002-replication-lag",
        ].sort(),
      );
      expect(withoutReplicas).toEqual(perNode("search-prod-001").sort());
    });

    it.each<[string, string, string, string, number, string]>([
      ["engine-cpu", "EngineCPUUtilization", "Average", "GreaterThanThreshold", 75, "missing"],
      ["memory", "DatabaseMemoryUsagePercentage", "Average", "GreaterThanThreshold", 75, "missing"],
      ["evictions", "Evictions", "Sum", "GreaterThanThreshold", 1000, "missing"],
      ["swap", "SwapUsage", "Maximum", "GreaterThanThreshold", 50 * 1024 * 1024, "missing"],
      ["connections", "CurrentConnections", "Maximum", "GreaterThanThreshold", 1000, "missing"],
      ["replication-lag", "ReplicationLag", "Maximum", "GreaterThanThreshold", 1, "notBreaching"],
    ])(
      "alarms on %s with %s (%s) and default thresholds",
      (suffix, metricName, statistic, comparison, threshold, missing) => {
        const alarm = alarmsOf(build({ cache }))[`redis-search-prod-002-${suffix}`];

        expect(alarm).toMatchObject({
          namespace: "AWS/ElastiCache",
          metric_name: metricName,
          dimensions: { CacheClusterId: "search-prod-002" },
          statistic,
          comparison_operator: comparison,
          threshold,
          treat_missing_data: missing,
        });
      },
    );

    it.each<[RedisAlarmSubject["evictionPolicy"], boolean]>([
      ["allkeys-lru", false],
      ["allkeys-lfu", false],
      ["volatile-lru", true],
      ["volatile-ttl", true],
      [undefined, true],
    ])("with eviction policy %s, alarms on memory: %s", (evictionPolicy, alarmed) => {
      // A warm allkeys-* cache sits at maxmemory by design: a memory alarm would always fire.
      const alarms = alarmsOf(build({ cache: { ...cache, evictionPolicy } }));

      expect(Object.keys(alarms).filter((name) => name.endsWith("-memory"))).toEqual(
        alarmed ? ["redis-search-prod-001-memory", "redis-search-prod-002-memory"] : [],
      );
      expect(alarms).toHaveProperty(["redis-search-prod-001-evictions"]);
      expect(alarms).toHaveProperty(["redis-search-prod-001-swap"]);
    });

    it("takes its thresholds from props", () => {
      const alarms = alarmsOf(
        build({
          cache,
          thresholds: {
            redisEngineCpuPercent: 60,
            redisMemoryPercent: 90,
            redisCurrentConnections: 5000,
            redisReplicationLagSeconds: 2,
            redisEvictionsPer5Minutes: 10,
            redisSwapUsageMiB: 100,
          },
        }),
      );

      expect(
        ["engine-cpu", "memory", "connections", "replication-lag", "evictions", "swap"].map(
          (s) => alarms[`redis-search-prod-001-${s}`].threshold,
        ),
      ).toEqual([60, 90, 5000, 2, 10, 100 * 1024 * 1024]);
    });
  });

  describe("EKS nodes", () => {
    it.each<[string, string, string, string, number, string]>([
      [
        "eks-node-cpu",
        "node_cpu_utilization",
        "Average",
        "GreaterThanThreshold",
        80,
        "notBreaching",
      ],
      [
        "eks-node-memory",
        "node_memory_utilization",
        "Average",
        "GreaterThanThreshold",
        75,
        "notBreaching",
      ],
      [
        "eks-failed-nodes",
        "cluster_failed_node_count",
        "Maximum",
        "GreaterThanThreshold",
        0,
        "notBreaching",
      ],
      [
        "eks-metrics-heartbeat",
        "cluster_node_count",
        "Minimum",
        "LessThanThreshold",
        1,
        "breaching",
      ],
    ])(
      "alarms %s on Container Insights' %s by cluster name",
      (name, metricName, statistic, comparison, threshold, missing) => {
        const alarm = alarmsOf(build({ eksClusterName: "search-prod" }))[name];

        expect(alarm).toMatchObject({
          namespace: "ContainerInsights",
          metric_name: metricName,
          dimensions: { ClusterName: "search-prod" },
          statistic,
          comparison_operator: comparison,
          threshold,
          treat_missing_data: missing,
        });
      },
    );

    it("takes node thresholds from props", () => {
      const alarms = alarmsOf(
        build({
          eksClusterName: "search-prod",
          thresholds: { nodeCpuPercent: 90, nodeMemoryPercent: 85 },
        }),
      );

      expect(alarms["eks-node-cpu"].threshold).toBe(90);
      expect(alarms["eks-node-memory"].threshold).toBe(85);
    });
  });

  it("wires every alarm to the topic on ALARM and OK, with a runbook line", () => {
    const s = build({ database, cache, eksClusterName: "search-prod" });

    const alarms = Object.values(s.resources("aws_cloudwatch_metric_alarm"));
    // Aurora 3 × 5 + 2 replica lags, Redis 2 × 5 + 2 replication lags, EKS 4
    expect(alarms).toHaveLength(33);
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual([TOPIC_ARN]);
      expect(alarm.ok_actions).toEqual([TOPIC_ARN]);
      expect(alarm).not.toHaveProperty("insufficient_data_actions");
      expect(alarm.alarm_description).toMatch(/\. Check first: .+\.$/);
    }
    expect(s.built.alarmArns).toHaveLength(33);
  });

  describe("addAlarm", () => {
    it("adds an alarm with the platform's conventions", () => {
      const s = synth((scope) => {
        const alarms = new PlatformAlarms(scope, "Alarms", { key: alarmsKey });
        alarms.addAlarm("search-p95-latency", {
          description: "Search p95 > 500 ms for 5 min. Check first: the slow-query log.",
          metric: {
            namespace: "Search",
            metricName: "http_request_duration_ms",
            dimensions: { route: "/search" },
            statistic: "p95",
          },
          comparison: "GreaterThanThreshold",
          threshold: 500,
          periodSeconds: 60,
          evaluationPeriods: 5,
        });
        return alarms;
      });

      expect(s.resource("aws_cloudwatch_metric_alarm")).toEqual({
        alarm_name: "test-alarms-search-p95-latency",
        alarm_description: "Search p95 > 500 ms for 5 min. Check first: the slow-query log.",
        namespace: "Search",
        metric_name: "http_request_duration_ms",
        dimensions: { route: "/search" },
        extended_statistic: "p95",
        comparison_operator: "GreaterThanThreshold",
        threshold: 500,
        period: 60,
        evaluation_periods: 5,
        datapoints_to_alarm: 5,
        treat_missing_data: "missing",
        alarm_actions: [TOPIC_ARN],
        ok_actions: [TOPIC_ARN],
      });
      expect(s.built.alarms).toHaveLength(1);
    });

    it("alarms on a metric math expression", () => {
      const s = synth((scope) =>
        new PlatformAlarms(scope, "Alarms", { key: alarmsKey }).addAlarm("error-rate", {
          description: "Errors > 1% for 5 min. Check first: the 5xx responses' error codes.",
          expression: {
            expression: "100 * errors / requests",
            label: "error rate (%)",
            metrics: {
              errors: { namespace: "Search", metricName: "errors", statistic: "Sum" },
              requests: { namespace: "Search", metricName: "requests", statistic: "Sum" },
            },
          },
          comparison: "GreaterThanThreshold",
          threshold: 1,
          periodSeconds: 60,
          evaluationPeriods: 5,
          treatMissingData: "notBreaching",
        }),
      );

      const alarm = s.resource("aws_cloudwatch_metric_alarm");
      expect(alarm).not.toHaveProperty("metric_name");
      expect(alarm.metric_query).toEqual([
        {
          id: "e1",
          expression: "100 * errors / requests",
          label: "error rate (%)",
          return_data: true,
        },
        {
          id: "errors",
          return_data: false,
          metric: { namespace: "Search", metric_name: "errors", period: 60, stat: "Sum" },
        },
        {
          id: "requests",
          return_data: false,
          metric: { namespace: "Search", metric_name: "requests", period: 60, stat: "Sum" },
        },
      ]);
      expect(alarm.treat_missing_data).toBe("notBreaching");
    });

    const valid = {
      description: "Something is wrong. Check first: the thing.",
      metric: { namespace: "Search", metricName: "errors" },
      comparison: "GreaterThanThreshold" as const,
      threshold: 1,
    };

    it.each<[string, string, object, string]>([
      [
        "the name has upper case",
        "ErrorRate",
        {},
        '`name` must be lowercase letters, digits, dots, hyphens or underscores, got "ErrorRate"',
      ],
      [
        "the description is empty",
        "error-rate",
        { description: " " },
        "`description` must say what fired and what to check first, got an empty string",
      ],
      [
        "neither a metric nor an expression is given",
        "error-rate",
        { metric: undefined },
        "exactly one of `metric` and `expression` must be given",
      ],
      [
        "both a metric and an expression are given",
        "error-rate",
        { expression: { expression: "m1", label: "m1", metrics: {} } },
        "exactly one of `metric` and `expression` must be given",
      ],
      [
        "the period is not 10, 30 or a multiple of 60",
        "error-rate",
        { periodSeconds: 45 },
        "`periodSeconds` must be 10, 30 or a multiple of 60, got 45",
      ],
      [
        "there is no evaluation period",
        "error-rate",
        { evaluationPeriods: 0, datapointsToAlarm: 1 },
        "`evaluationPeriods` must be a whole number ≥ 1, got 0",
      ],
      [
        "more datapoints must breach than are evaluated",
        "error-rate",
        { evaluationPeriods: 3, datapointsToAlarm: 4 },
        "`datapointsToAlarm` must be a whole number from 1 to evaluationPeriods (3), got 4",
      ],
    ])("fails when %s", (_case, name, options, message) => {
      expect(
        problemsOf(() =>
          synth((scope) =>
            new PlatformAlarms(scope, "Alarms", { key: alarmsKey }).addAlarm(name, {
              ...valid,
              ...options,
            }),
          ),
        ),
      ).toEqual([message]);
    });
  });

  describe("validation", () => {
    it.each<[string, Partial<PlatformAlarmsProps>, string]>([
      [
        "the name prefix has a space",
        { namePrefix: "search prod" },
        '`namePrefix` must be 1-200 letters, digits, hyphens or underscores, got "search prod"',
      ],
      [
        "an email is not an address",
        { emails: ["oncall@example.com", "oncall"] },
        '`emails` must be email addresses, got "oncall"',
      ],
      [
        "a percentage threshold is above 100",
        { thresholds: { auroraCpuPercent: 120 } },
        "`thresholds.auroraCpuPercent` must be a percentage above 0 and at most 100, got 120",
      ],
      [
        "a percentage threshold is 0",
        { thresholds: { nodeMemoryPercent: 0 } },
        "`thresholds.nodeMemoryPercent` must be a percentage above 0 and at most 100, got 0",
      ],
      [
        "a count threshold is not positive",
        { thresholds: { redisCurrentConnections: 0 } },
        "`thresholds.redisCurrentConnections` must be > 0, got 0",
      ],
      [
        "the deadlock threshold is negative",
        { thresholds: { auroraDeadlocksPerSecond: -1 } },
        "`thresholds.auroraDeadlocksPerSecond` must be ≥ 0, got -1",
      ],
      [
        "the instance memory is 0",
        { database: { ...database, instanceMemoryGiB: 0 } },
        "`database.instanceMemoryGiB` must be > 0, got 0",
      ],
      [
        "max_connections is not a whole number",
        { database: { ...database, maxConnections: 10.5 } },
        "`database.maxConnections` must be a whole number > 0, got 10.5",
      ],
    ])("fails when %s", (_case, props, message) => {
      expect(problemsOf(() => build(props))).toEqual([message]);
    });

    it("fails when instance or node ids are Terraform tokens", () => {
      expect(
        problemsOf(() =>
          synth((scope) => {
            const id = new TerraformVariable(scope, "id", { type: "string" }).stringValue;
            return new PlatformAlarms(scope, "Alarms", {
              key: alarmsKey,
              database: {
                ...database,
                cluster: { ...database.cluster, instanceIdentifiers: [id] },
              },
              cache: { ...cache, memberClusterIds: [id] },
            });
          }),
        ),
      ).toEqual([
        "`database.cluster.instanceIdentifiers` must be known at synth time (one alarm per instance is named after each), got a Terraform token",
        "`cache.memberClusterIds` must be known at synth time (one alarm per node is named after each), got a Terraform token",
      ]);
    });
  });
});
