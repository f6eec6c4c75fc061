import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import {
  type AlarmTopicReference,
  fromCloudWatchAlarmsOf,
  isKnown,
  type KeyReference,
  type PropRule,
  resourceName,
  validateProps,
} from "../core";
import { evictsAnyKey, type RedisEvictionPolicy } from "../data/redis-cache";

const GIB = 1024 ** 3;

/** How an alarm compares the metric with its threshold. */
export type AlarmComparison =
  | "GreaterThanThreshold"
  | "GreaterThanOrEqualToThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold";

/**
 * What a missing datapoint counts as.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 */
export type AlarmMissingData = "missing" | "notBreaching" | "breaching" | "ignore";

/** A CloudWatch metric: namespace, name, dimensions and the statistic to alarm on. */
export interface AlarmMetric {
  readonly namespace: string;
  readonly metricName: string;
  /** @default {} */
  readonly dimensions?: Readonly<Record<string, string>>;
  /**
   * `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount`, or a percentile like `p95`.
   * @default "Average"
   */
  readonly statistic?: string;
}

/** A metric math expression over named metrics, e.g. `100 * errors / requests`. */
export interface AlarmExpression {
  /** @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html */
  readonly expression: string;
  /** Shown on the alarm's graph. */
  readonly label: string;
  /** The expression's inputs, by the lowercase id the expression uses. */
  readonly metrics: Readonly<Record<string, AlarmMetric>>;
}

/** One alarm, in the platform's conventions (actions to the topic, a runbook line). */
export interface PlatformAlarmOptions {
  /**
   * What fired and what to check first, one or two sentences: the page a person gets at 3 a.m.
   * starts here.
   */
  readonly description: string;
  /** The metric to alarm on; give this or `expression`. */
  readonly metric?: AlarmMetric;
  /** A metric math expression to alarm on; give this or `metric`. */
  readonly expression?: AlarmExpression;
  readonly threshold: number;
  readonly comparison: AlarmComparison;
  /**
   * Length of one datapoint: 10, 30 or a multiple of 60.
   * @default 300
   */
  readonly periodSeconds?: number;
  /**
   * Datapoints looked at.
   * @default 3
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching datapoints among them that trip the alarm.
   * @default - all of them (`evaluationPeriods`)
   */
  readonly datapointsToAlarm?: number;
  /**
   * What a missing datapoint counts as. Metrics AWS publishes every minute while a resource
   * runs stay `missing`: a silent resource then shows as INSUFFICIENT_DATA, neither a false
   * recovery nor a false page.
   * @default "missing"
   */
  readonly treatMissingData?: AlarmMissingData;
}

/**
 * Alarm thresholds on the managed services. The names and defaults are those of the
 * platform config's `observability.thresholds`, so that object can be passed as is.
 */
export interface PlatformAlarmThresholds {
  /** @default 80 */
  readonly auroraCpuPercent?: number;
  /** Alarm when freeable memory drops below this share of the instance's memory. @default 10 */
  readonly auroraFreeableMemoryPercent?: number;
  /** Alarm when connections pass this share of max_connections. @default 80 */
  readonly auroraConnectionsPercent?: number;
  /** @default 1000 */
  readonly auroraReplicaLagMs?: number;
  /**
   * Alarm when free local storage (temporary files, about twice the memory on Aurora
   * PostgreSQL) drops below this share of the instance's memory.
   * @default 10
   */
  readonly auroraFreeLocalStoragePercent?: number;
  /**
   * Alarm when the deadlock rate stays above this in 2 of 3 five-minute periods; 0 means any
   * recurring deadlock.
   * @default 0
   */
  readonly auroraDeadlocksPerSecond?: number;
  /** @default 75 */
  readonly redisEngineCpuPercent?: number;
  /**
   * Share of maxmemory in use. Alarmed on only when the cache's eviction policy is not
   * `allkeys-*` (see `RedisAlarmSubject.evictionPolicy`): there a warm cache runs at 100% by
   * design, and the node's memory is watched through swap and evictions instead.
   * @default 75
   */
  readonly redisMemoryPercent?: number;
  /** @default 1000 */
  readonly redisCurrentConnections?: number;
  /** @default 1 */
  readonly redisReplicationLagSeconds?: number;
  /**
   * Evictions per five minutes, sustained 15 minutes: the working set no longer fits and the
   * hit rate falls.
   * @default 1000
   */
  readonly redisEvictionsPer5Minutes?: number;
  /**
   * Swap in use on a cache node, MiB: the host is short of memory beyond maxmemory (the fork of
   * a snapshot or a replica sync, client output buffers). AWS advises it stay under 50 MB.
   * @default 50
   */
  readonly redisSwapUsageMiB?: number;
  /** @default 80 */
  readonly nodeCpuPercent?: number;
  /** @default 75 */
  readonly nodeMemoryPercent?: number;
}

/** The thresholds used where PlatformAlarmThresholds leaves one out. */
export const DEFAULT_ALARM_THRESHOLDS: Readonly<Required<PlatformAlarmThresholds>> = {
  auroraCpuPercent: 80,
  auroraFreeableMemoryPercent: 10,
  auroraConnectionsPercent: 80,
  auroraReplicaLagMs: 1000,
  auroraFreeLocalStoragePercent: 10,
  auroraDeadlocksPerSecond: 0,
  redisEngineCpuPercent: 75,
  redisMemoryPercent: 75,
  redisCurrentConnections: 1000,
  redisReplicationLagSeconds: 1,
  redisEvictionsPer5Minutes: 1000,
  redisSwapUsageMiB: 50,
  nodeCpuPercent: 80,
  nodeMemoryPercent: 75,
};

/** Every threshold: the given ones, and the defaults for those left out. */
export function withDefaultThresholds(
  thresholds: PlatformAlarmThresholds = {},
): Required<PlatformAlarmThresholds> {
  const names = Object.keys(DEFAULT_ALARM_THRESHOLDS) as (keyof PlatformAlarmThresholds)[];
  return Object.fromEntries(
    names.map((name) => [name, thresholds[name] ?? DEFAULT_ALARM_THRESHOLDS[name]]),
  ) as Required<PlatformAlarmThresholds>;
}

/** An Aurora cluster's instances (an `AuroraPostgres` is one). */
export interface AuroraAlarmSubject {
  readonly clusterIdentifier: string;
  /** Every provisioned instance, the writer first. */
  readonly instanceIdentifiers: readonly string[];
  readonly readerInstanceIdentifiers: readonly string[];
  /**
   * The most readers the cluster can have, Aurora Auto Scaling's included. When it is more than
   * `readerInstanceIdentifiers`, readers exist that Terraform does not know, so readers are
   * alarmed on by role (`Role=READER`, as AWS recommends for Aurora), which covers every one of
   * them, instead of by instance; the writer keeps its instance alarms.
   * @default - the provisioned readers only
   */
  readonly maxReaders?: number;
}

/** What one set of Aurora alarms watches: an instance, or the readers by role. */
interface DatabaseAlarmSubject {
  /** In alarm ids: the instance, or `<cluster>-readers`. */
  readonly id: string;
  /** In descriptions. */
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly reader: boolean;
  /** Watches every reader through `Role=READER` rather than one instance. */
  readonly byRole: boolean;
}

/** Alarms on an Aurora cluster and the sizing they are computed from. */
export interface DatabaseAlarmsOptions {
  readonly cluster: AuroraAlarmSubject;
  /** Memory of the instance class in GiB (FreeableMemory and FreeLocalStorage thresholds). */
  readonly instanceMemoryGiB: number;
  /** The instances' max_connections (DatabaseConnections threshold). */
  readonly maxConnections: number;
}

/** An ElastiCache replication group's nodes (a `RedisCache` is one). */
export interface RedisAlarmSubject {
  readonly replicationGroupId: string;
  /** Every node's cache cluster id. */
  readonly memberClusterIds: readonly string[];
  /** Replication lag is alarmed on only when there are replicas. */
  readonly replicasPerShard: number;
  /**
   * `maxmemory-policy`. With an `allkeys-*` policy (RedisCache's default) a full cache is its
   * steady state, so there is no alarm on the share of maxmemory in use, which would always
   * fire: swap says when the node runs short of memory, evictions when the working set no
   * longer fits. With a `volatile-*` policy keys without a TTL can fill maxmemory and make
   * writes fail, so that share is alarmed on too.
   * @default - unknown: the share of maxmemory is alarmed on
   */
  readonly evictionPolicy?: RedisEvictionPolicy;
}

export interface PlatformAlarmsProps {
  /**
   * Encrypts the topic. Its key policy must let `cloudwatch.amazonaws.com` use it
   * (kms:GenerateDataKey*, kms:Decrypt), or alarms cannot publish.
   */
  readonly key: KeyReference;
  /**
   * Prefix of the topic's and every alarm's name.
   * @default - the construct's path below its stack, lowercased with dashes
   */
  readonly namePrefix?: string;
  /**
   * Addresses subscribed to the topic (each must confirm the subscription).
   * @default []
   */
  readonly emails?: readonly string[];
  /**
   * Thresholds; each one left out takes its default.
   * @default - the defaults of PlatformAlarmThresholds (REFERENCE.md "Alerts")
   */
  readonly thresholds?: PlatformAlarmThresholds;
  /**
   * Alarms per Aurora instance: CPU, freeable memory, connections, deadlocks, free local
   * storage, and replica lag on readers.
   * @default - no database alarms
   */
  readonly database?: DatabaseAlarmsOptions;
  /**
   * Alarms per ElastiCache node: engine CPU, memory, evictions, connections, and replication
   * lag when there are replicas.
   * @default - no cache alarms
   */
  readonly cache?: RedisAlarmSubject;
  /**
   * Alarms on the EKS cluster's nodes from Container Insights (the CloudWatch observability
   * add-on publishes them): node CPU and memory, failed nodes, and a heartbeat that fires when
   * the metrics stop.
   * @default - no node alarms
   */
  readonly eksClusterName?: string;
}

/**
 * The platform's alarm topic and its alarms on managed services.
 *
 * The topic is KMS-encrypted; its policy lets only CloudWatch alarms of this account publish and
 * denies any request not made over TLS. Every alarm notifies the topic on ALARM and on OK, and
 * its description says what to check first. Other stacks and constructs add theirs with
 * `addAlarm`, which applies the same conventions.
 *
 * Missing data, deliberately:
 * - Aurora and ElastiCache metrics are published every minute while the resource runs; a gap
 *   means the resource itself is down or being replaced, which RDS/ElastiCache events and the
 *   clients' own errors report. These alarms keep `missing`, so the gap shows as
 *   INSUFFICIENT_DATA on the dashboard instead of a false recovery or a false "CPU high".
 * - Replication lag is published by replicas only, and roles swap on failover: `notBreaching`.
 * - Container Insights metrics come from an agent the workloads stack installs. Node CPU, node
 *   memory and failed nodes treat a gap as `notBreaching` (no data says nothing about load);
 *   one heartbeat alarm on the node count treats it as `breaching`, so a stopped agent, or a
 *   cluster with no node, pages once instead of silently blinding the other three. It is in
 *   ALARM from the infra deploy until the workloads stack has installed the add-on.
 */
export class PlatformAlarms extends Construct implements AlarmTopicReference {
  public readonly topicArn: string;
  public readonly topicName: string;
  /** Every alarm created so far, including those added with `addAlarm`. */
  public readonly alarms: CloudwatchMetricAlarm[] = [];
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);

    const namePrefix = props.namePrefix ?? resourceName(this, undefined, 200);
    const emails = props.emails ?? [];
    const thresholds = withDefaultThresholds(props.thresholds);

    validateProps("PlatformAlarms", [
      {
        violated: isKnown(namePrefix) && !/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,199}$/.test(namePrefix),
        message: `\`namePrefix\` must be 1-200 letters, digits, hyphens or underscores, got "${namePrefix}"`,
      },
      ...emails
        .filter((e) => isKnown(e) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e))
        .map((e) => ({
          violated: true,
          message: `\`emails\` must be email addresses, got "${e}"`,
        })),
      ...(
        [
          "auroraCpuPercent",
          "auroraFreeableMemoryPercent",
          "auroraConnectionsPercent",
          "auroraFreeLocalStoragePercent",
          "redisEngineCpuPercent",
          "redisMemoryPercent",
          "nodeCpuPercent",
          "nodeMemoryPercent",
        ] as const
      ).map((name) => percentRule(`thresholds.${name}`, thresholds[name])),
      ...(
        [
          "auroraReplicaLagMs",
          "redisCurrentConnections",
          "redisReplicationLagSeconds",
          "redisEvictionsPer5Minutes",
          "redisSwapUsageMiB",
        ] as const
      ).map((name) => positiveRule(`thresholds.${name}`, thresholds[name])),
      {
        violated:
          isKnown(thresholds.auroraDeadlocksPerSecond) && thresholds.auroraDeadlocksPerSecond < 0,
        message: `\`thresholds.auroraDeadlocksPerSecond\` must be ≥ 0, got ${thresholds.auroraDeadlocksPerSecond}`,
      },
      {
        // Alarms are made one per instance and per node, named after them.
        violated:
          props.database !== undefined &&
          !props.database.cluster.instanceIdentifiers.every((i) => isKnown(i)),
        message:
          "`database.cluster.instanceIdentifiers` must be known at synth time (one alarm per instance is named after each), got a Terraform token",
      },
      {
        violated:
          props.cache !== undefined && !props.cache.memberClusterIds.every((i) => isKnown(i)),
        message:
          "`cache.memberClusterIds` must be known at synth time (one alarm per node is named after each), got a Terraform token",
      },
      ...(props.database
        ? [
            {
              violated:
                isKnown(props.database.cluster.maxReaders) &&
                props.database.cluster.maxReaders !== undefined &&
                !(
                  Number.isInteger(props.database.cluster.maxReaders) &&
                  props.database.cluster.maxReaders >= 0
                ),
              message: `\`database.cluster.maxReaders\` must be a whole number ≥ 0, got ${props.database.cluster.maxReaders}`,
            },
            {
              // Readers alarmed on by role are named after the cluster.
              violated:
                (props.database.cluster.maxReaders ?? 0) >
                  props.database.cluster.readerInstanceIdentifiers.length &&
                !isKnown(props.database.cluster.clusterIdentifier),
              message:
                "`database.cluster.clusterIdentifier` must be known at synth time when readers scale out (their alarms are named after it), got a Terraform token",
            },
            positiveRule("database.instanceMemoryGiB", props.database.instanceMemoryGiB),
            {
              violated:
                isKnown(props.database.maxConnections) &&
                !(
                  Number.isInteger(props.database.maxConnections) &&
                  props.database.maxConnections > 0
                ),
              message: `\`database.maxConnections\` must be a whole number > 0, got ${props.database.maxConnections}`,
            },
          ]
        : []),
    ]);
    this.namePrefix = namePrefix;

    const topic = new SnsTopic(this, "Topic", {
      name: `${namePrefix}-alarms`,
      kmsMasterKeyId: props.key.arn,
    });
    this.topicArn = topic.arn;
    this.topicName = topic.name;
    this.createTopicPolicy(topic);
    for (const email of emails) {
      new SnsTopicSubscription(this, `Email-${email}`, {
        topicArn: topic.arn,
        protocol: "email",
        endpoint: email,
      });
    }

    if (props.database) this.addDatabaseAlarms(props.database, thresholds);
    if (props.cache) this.addCacheAlarms(props.cache, thresholds);
    if (props.eksClusterName !== undefined) {
      this.addNodeAlarms(props.eksClusterName, thresholds);
    }
  }

  /** ARNs of every alarm created so far (for an alarm-status widget). */
  public get alarmArns(): string[] {
    return this.alarms.map((a) => a.arn);
  }

  /**
   * Adds an alarm named `<namePrefix>-<name>` that notifies the topic on ALARM and on OK.
   * `name` is also the construct id: renaming it replaces the alarm.
   */
  public addAlarm(name: string, options: PlatformAlarmOptions): CloudwatchMetricAlarm {
    const periodSeconds = options.periodSeconds ?? 300;
    const evaluationPeriods = options.evaluationPeriods ?? 3;
    const datapointsToAlarm = options.datapointsToAlarm ?? evaluationPeriods;
    const treatMissingData = options.treatMissingData ?? "missing";

    validateProps(`PlatformAlarms.addAlarm("${name}")`, [
      {
        violated: !/^[a-z0-9][a-z0-9._-]*$/.test(name),
        message: `\`name\` must be lowercase letters, digits, dots, hyphens or underscores, got "${name}"`,
      },
      {
        violated: options.description.trim().length === 0,
        message: "`description` must say what fired and what to check first, got an empty string",
      },
      {
        violated: (options.metric === undefined) === (options.expression === undefined),
        message: "exactly one of `metric` and `expression` must be given",
      },
      {
        violated:
          isKnown(periodSeconds) &&
          !(
            periodSeconds === 10 ||
            periodSeconds === 30 ||
            (periodSeconds > 0 && periodSeconds % 60 === 0)
          ),
        message: `\`periodSeconds\` must be 10, 30 or a multiple of 60, got ${periodSeconds}`,
      },
      {
        violated: !(Number.isInteger(evaluationPeriods) && evaluationPeriods >= 1),
        message: `\`evaluationPeriods\` must be a whole number ≥ 1, got ${evaluationPeriods}`,
      },
      {
        // Judged against a valid evaluationPeriods only; the rule above reports a broken one.
        violated:
          evaluationPeriods >= 1 &&
          !(
            Number.isInteger(datapointsToAlarm) &&
            datapointsToAlarm >= 1 &&
            datapointsToAlarm <= evaluationPeriods
          ),
        message: `\`datapointsToAlarm\` must be a whole number from 1 to evaluationPeriods (${evaluationPeriods}), got ${datapointsToAlarm}`,
      },
    ]);

    const alarm = new CloudwatchMetricAlarm(this, name, {
      alarmName: `${this.namePrefix}-${name}`,
      alarmDescription: options.description,
      comparisonOperator: options.comparison,
      threshold: options.threshold,
      evaluationPeriods,
      datapointsToAlarm,
      treatMissingData,
      alarmActions: [this.topicArn],
      okActions: [this.topicArn],
      ...metricArguments(options, periodSeconds),
    });
    this.alarms.push(alarm);
    return alarm;
  }

  private createTopicPolicy(topic: SnsTopic): void {
    const account = new DataAwsCallerIdentity(this, "Account");
    const partition = new DataAwsPartition(this, "Partition");
    const region = new DataAwsRegion(this, "Region");
    const policy = new DataAwsIamPolicyDocument(this, "TopicPolicyDocument", {
      statement: [
        {
          sid: "CloudWatchAlarmsOfThisAccountPublish",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: ["sns:Publish"],
          resources: [topic.arn],
          condition: fromCloudWatchAlarmsOf({
            accountId: account.accountId,
            partition: partition.partition,
            region: region.region,
          }),
        },
        {
          sid: "DenyRequestsWithoutTls",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["sns:*"],
          resources: [topic.arn],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    new SnsTopicPolicy(this, "TopicPolicy", { arn: topic.arn, policy: policy.json });
  }

  private addDatabaseAlarms(
    options: DatabaseAlarmsOptions,
    t: Required<PlatformAlarmThresholds>,
  ): void {
    const memoryBytes = options.instanceMemoryGiB * GIB;
    const freeableMemoryBytes = Math.round((memoryBytes * t.auroraFreeableMemoryPercent) / 100);
    const freeLocalStorageBytes = Math.round((memoryBytes * t.auroraFreeLocalStoragePercent) / 100);
    const connections = Math.floor((options.maxConnections * t.auroraConnectionsPercent) / 100);
    const cluster = options.cluster;
    const byRole = (cluster.maxReaders ?? 0) > cluster.readerInstanceIdentifiers.length;
    const subjects: DatabaseAlarmSubject[] = [
      ...cluster.instanceIdentifiers.slice(0, byRole ? 1 : undefined).map((instance) => ({
        id: instance,
        name: `Aurora ${instance}`,
        dimensions: { DBInstanceIdentifier: instance },
        reader: cluster.readerInstanceIdentifiers.includes(instance),
        byRole: false,
      })),
      ...(byRole
        ? [
            {
              id: `${cluster.clusterIdentifier}-readers`,
              name: `Aurora ${cluster.clusterIdentifier}'s readers (the worst of up to ${cluster.maxReaders}, Auto Scaling's included)`,
              dimensions: { DBClusterIdentifier: cluster.clusterIdentifier, Role: "READER" },
              reader: true,
              byRole: true,
            },
          ]
        : []),
    ];
    const rds = (subject: DatabaseAlarmSubject, metricName: string, statistic: string) => ({
      namespace: "AWS/RDS",
      metricName,
      dimensions: subject.dimensions,
      statistic,
    });
    // By role, the statistic runs over every reader's datapoints: Maximum and Minimum watch the
    // worst reader, where an average would hide one among healthy ones. No readers (scaled in
    // to none) is no breach.
    const worst = (subject: DatabaseAlarmSubject, average: string, worstOf: string) =>
      subject.byRole ? worstOf : average;
    const missing = (subject: DatabaseAlarmSubject) =>
      subject.byRole ? { treatMissingData: "notBreaching" as const } : {};

    for (const subject of subjects) {
      const { id, name } = subject;
      this.addAlarm(`aurora-${id}-cpu`, {
        description:
          `${name} CPU > ${t.auroraCpuPercent}% for 15 min. Check first: Performance ` +
          "Insights top SQL by load and their wait events; then whether reads can move to readers.",
        metric: rds(subject, "CPUUtilization", worst(subject, "Average", "Maximum")),
        comparison: "GreaterThanThreshold",
        threshold: t.auroraCpuPercent,
        ...missing(subject),
      });
      this.addAlarm(`aurora-${id}-freeable-memory`, {
        description:
          `${name} freeable memory < ${t.auroraFreeableMemoryPercent}% of ` +
          `${options.instanceMemoryGiB} GiB (${formatBytes(freeableMemoryBytes)}) for 15 min. ` +
          "Check first: connection count (each backend holds memory) and sorts or hashes using " +
          "work_mem in Performance Insights; then a larger instance class.",
        metric: rds(subject, "FreeableMemory", worst(subject, "Average", "Minimum")),
        comparison: "LessThanThreshold",
        threshold: freeableMemoryBytes,
        ...missing(subject),
      });
      this.addAlarm(`aurora-${id}-connections`, {
        description:
          `${name} connections > ${t.auroraConnectionsPercent}% of max_connections ` +
          `(${connections} of ${options.maxConnections}) for 5 min. Check first: pods × pool size ` +
          "against max_connections (did the HPA scale out?) and idle-in-transaction sessions in " +
          "pg_stat_activity.",
        metric: rds(subject, "DatabaseConnections", "Maximum"),
        comparison: "GreaterThanThreshold",
        threshold: connections,
        periodSeconds: 60,
        evaluationPeriods: 5,
        ...missing(subject),
      });
      this.addAlarm(`aurora-${id}-deadlocks`, {
        description:
          `${name} deadlocks recurring (> ${t.auroraDeadlocksPerSecond}/s in 2 of 3 ` +
          "five-minute periods). Check first: the PostgreSQL log's deadlock reports (both " +
          "statements are logged) and the order in which the code takes row locks.",
        metric: rds(subject, "Deadlocks", "Maximum"),
        comparison: "GreaterThanThreshold",
        threshold: t.auroraDeadlocksPerSecond,
        datapointsToAlarm: 2,
        ...missing(subject),
      });
      this.addAlarm(`aurora-${id}-free-local-storage`, {
        description:
          `${name} free local storage < ${formatBytes(freeLocalStorageBytes)} ` +
          `(${t.auroraFreeLocalStoragePercent}% of memory) for 15 min. Check first: temporary ` +
          "files in the PostgreSQL log (log_temp_files) from sorts and hash joins spilling to disk.",
        metric: rds(subject, "FreeLocalStorage", worst(subject, "Average", "Minimum")),
        comparison: "LessThanThreshold",
        threshold: freeLocalStorageBytes,
        ...missing(subject),
      });
      if (!subject.reader) continue;
      this.addAlarm(`aurora-${id}-replica-lag`, {
        description:
          `${subject.byRole ? name : `Aurora reader ${id}`} replica lag > ` +
          `${t.auroraReplicaLagMs} ms for 5 min: reads ` +
          "are stale. Check first: the writer's write load (WriteIOPS, commit latency) and long " +
          "queries on the reader holding back replay.",
        metric: rds(subject, "AuroraReplicaLag", "Maximum"),
        comparison: "GreaterThanThreshold",
        threshold: t.auroraReplicaLagMs,
        periodSeconds: 60,
        evaluationPeriods: 5,
        // Only readers publish it, and a failover makes a reader the writer.
        treatMissingData: "notBreaching",
      });
    }
  }

  private addCacheAlarms(cache: RedisAlarmSubject, t: Required<PlatformAlarmThresholds>): void {
    const redis = (node: string, metricName: string, statistic = "Average"): AlarmMetric => ({
      namespace: "AWS/ElastiCache",
      metricName,
      dimensions: { CacheClusterId: node },
      statistic,
    });
    for (const node of cache.memberClusterIds) {
      this.addAlarm(`redis-${node}-engine-cpu`, {
        description:
          `Redis ${node} engine CPU > ${t.redisEngineCpuPercent}% for 15 min (Redis runs ` +
          "commands on one thread). Check first: the slow log for O(N) commands and large values; " +
          "then more shards or a larger node type.",
        metric: redis(node, "EngineCPUUtilization"),
        comparison: "GreaterThanThreshold",
        threshold: t.redisEngineCpuPercent,
      });
      if (!evictsAnyKey(cache.evictionPolicy)) {
        this.addAlarm(`redis-${node}-memory`, {
          description:
            `Redis ${node} memory > ${t.redisMemoryPercent}% of maxmemory for 15 min. Check ` +
            "first: keys written without a TTL (with a volatile-* policy only keys with one can " +
            "be evicted), then Evictions and a larger node type.",
          metric: redis(node, "DatabaseMemoryUsagePercentage"),
          comparison: "GreaterThanThreshold",
          threshold: t.redisMemoryPercent,
        });
      }
      this.addAlarm(`redis-${node}-swap`, {
        description:
          `Redis ${node} swap > ${t.redisSwapUsageMiB} MiB for 15 min: the node is short of ` +
          "memory beyond maxmemory, and a swapping Redis slows every command. Check first: " +
          "snapshots and replica syncs (each forks the process) and client output buffers (slow " +
          "or blocked clients); then reserved-memory-percent or a larger node type.",
        metric: redis(node, "SwapUsage", "Maximum"),
        comparison: "GreaterThanThreshold",
        threshold: t.redisSwapUsageMiB * 1024 * 1024,
      });
      this.addAlarm(`redis-${node}-evictions`, {
        description:
          `Redis ${node} evicting > ${t.redisEvictionsPer5Minutes} keys per 5 min for 15 min: ` +
          "the working set no longer fits. Check first: the hit rate and the TTLs of the largest " +
          "key families; then a larger node type or more shards.",
        metric: redis(node, "Evictions", "Sum"),
        comparison: "GreaterThanThreshold",
        threshold: t.redisEvictionsPer5Minutes,
      });
      this.addAlarm(`redis-${node}-connections`, {
        description:
          `Redis ${node} connections > ${t.redisCurrentConnections} for 5 min. Check first: the ` +
          "number of service pods and connections per pod, and clients reconnecting in a loop " +
          "(NewConnections).",
        metric: redis(node, "CurrentConnections", "Maximum"),
        comparison: "GreaterThanThreshold",
        threshold: t.redisCurrentConnections,
        periodSeconds: 60,
        evaluationPeriods: 5,
      });
      if (cache.replicasPerShard > 0) {
        this.addAlarm(`redis-${node}-replication-lag`, {
          description:
            `Redis ${node} replication lag > ${t.redisReplicationLagSeconds} s for 5 min: reads ` +
            "from replicas are stale and a failover would lose writes. Check first: the primary's " +
            "write rate and network throughput, and large values being written.",
          metric: redis(node, "ReplicationLag", "Maximum"),
          comparison: "GreaterThanThreshold",
          threshold: t.redisReplicationLagSeconds,
          periodSeconds: 60,
          evaluationPeriods: 5,
          // Only replicas publish it, and a failover swaps primary and replica.
          treatMissingData: "notBreaching",
        });
      }
    }
  }

  private addNodeAlarms(clusterName: string, t: Required<PlatformAlarmThresholds>): void {
    const insights = (metricName: string, statistic: string): AlarmMetric => ({
      namespace: "ContainerInsights",
      metricName,
      dimensions: { ClusterName: clusterName },
      statistic,
    });
    this.addAlarm("eks-node-cpu", {
      description:
        `EKS ${clusterName} node CPU > ${t.nodeCpuPercent}% for 15 min. Check first: pods without ` +
        "CPU limits and the HPA's desired vs. maximum replicas; then node group max size.",
      metric: insights("node_cpu_utilization", "Average"),
      comparison: "GreaterThanThreshold",
      threshold: t.nodeCpuPercent,
      treatMissingData: "notBreaching",
    });
    this.addAlarm("eks-node-memory", {
      description:
        `EKS ${clusterName} node memory > ${t.nodeMemoryPercent}% for 15 min. Check first: pods ` +
        "whose memory requests are far below their usage, and OOMKilled containers.",
      metric: insights("node_memory_utilization", "Average"),
      comparison: "GreaterThanThreshold",
      threshold: t.nodeMemoryPercent,
      treatMissingData: "notBreaching",
    });
    this.addAlarm("eks-failed-nodes", {
      description:
        `EKS ${clusterName} has failed nodes for 5 min. Check first: \`kubectl get nodes\` and ` +
        "the node group's health issues in the EKS console (capacity, AMI, IAM).",
      metric: insights("cluster_failed_node_count", "Maximum"),
      comparison: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: 60,
      evaluationPeriods: 5,
      treatMissingData: "notBreaching",
    });
    this.addAlarm("eks-metrics-heartbeat", {
      description:
        `EKS ${clusterName}: no Container Insights node metrics for 15 min, so the node alarms ` +
        "are blind. Check first: the amazon-cloudwatch-observability add-on's pods and their IAM " +
        "permissions; then whether the cluster has any node.",
      metric: insights("cluster_node_count", "Minimum"),
      comparison: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
    });
  }
}

/** The alarm's metric, or its metric math expression and the metrics it reads. */
function metricArguments(
  { metric, expression }: PlatformAlarmOptions,
  periodSeconds: number,
): Partial<CloudwatchMetricAlarmConfig> {
  if (metric) {
    return {
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: metric.dimensions ? { ...metric.dimensions } : undefined,
      period: periodSeconds,
      ...statisticOf(metric),
    };
  }
  if (!expression) return {};
  return {
    metricQuery: [
      { id: "e1", expression: expression.expression, label: expression.label, returnData: true },
      ...Object.entries(expression.metrics).map(([id, input]) => ({
        id,
        returnData: false,
        metric: {
          namespace: input.namespace,
          metricName: input.metricName,
          dimensions: input.dimensions ? { ...input.dimensions } : undefined,
          period: periodSeconds,
          stat: input.statistic ?? "Average",
        },
      })),
    ],
  };
}

function statisticOf(metric: AlarmMetric): { statistic?: string; extendedStatistic?: string } {
  const statistic = metric.statistic ?? "Average";
  return /^p\d+(\.\d+)?$/.test(statistic) ? { extendedStatistic: statistic } : { statistic };
}

function percentRule(name: string, value: number): PropRule {
  return {
    violated: isKnown(value) && !(value > 0 && value <= 100),
    message: `\`${name}\` must be a percentage above 0 and at most 100, got ${value}`,
  };
}

function positiveRule(name: string, value: number): PropRule {
  return {
    violated: isKnown(value) && !(value > 0),
    message: `\`${name}\` must be > 0, got ${value}`,
  };
}

/** Bytes as GiB or MiB with one decimal, for descriptions. */
function formatBytes(bytes: number): string {
  return bytes >= GIB ? `${(bytes / GIB).toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
