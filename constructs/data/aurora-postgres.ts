import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsClusterParameterGroup } from "@cdktf/provider-aws/lib/rds-cluster-parameter-group";
import { Annotations, Fn } from "cdktf";
import { Construct } from "constructs";
import {
  isKnown,
  type KeyReference,
  type NetworkReference,
  type PropRule,
  resourceName,
  type SecurityGroupReference,
  validateProps,
} from "../core";
import { logRetentionRule } from "../observability/log-retention";
import { clientsRule, dailyWindowRule, weeklyWindowRule, wholeNumberRule } from "./rules";
import { clientSecurityGroup } from "./client-security-group";

/** The port Aurora PostgreSQL listens on. */
const POSTGRES_PORT = 5432;
/** Aurora allows at most 15 readers in a cluster. */
const MAX_READERS = 15;
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;

/**
 * Application Auto Scaling of the number of readers (Aurora Auto Scaling).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Integrating.AutoScaling.html
 */
export interface AuroraReaderAutoscaling {
  /** Fewest readers Aurora Auto Scaling keeps (0-15). */
  readonly minReaders: number;
  /** Most readers Aurora Auto Scaling adds (0-15); 0 turns auto scaling off. */
  readonly maxReaders: number;
  /**
   * Average reader CPU the target-tracking policy aims for (10-90).
   * @default 60
   */
  readonly targetCpuPercent?: number;
  /**
   * Wait after a scale-out before the next one. A new reader takes minutes to come up, so a
   * short cooldown would stack up replicas before the first one takes load.
   * @default 300
   */
  readonly scaleOutCooldownSeconds?: number;
  /**
   * Wait after a scale-in before the next one: slow, so a dip between two peaks does not drop
   * readers that are needed again minutes later.
   * @default 900
   */
  readonly scaleInCooldownSeconds?: number;
}

export interface AuroraPostgresProps {
  /** The VPC; the cluster lives in its isolated (data) subnets, one instance per zone in turn. */
  readonly network: NetworkReference;
  /**
   * Encrypts the storage, the Performance Insights data and the master user's secret.
   * Its key policy must let RDS and Secrets Manager use it in this account.
   */
  readonly key: KeyReference;
  /** Encrypts the PostgreSQL log group; its key policy must let CloudWatch Logs use it. */
  readonly logsKey: KeyReference;
  /** Security groups whose members may connect on 5432; nothing else is admitted. */
  readonly clients: readonly SecurityGroupReference[];
  /**
   * Cluster identifier; instances are `<identifier>-1` (the first writer), `<identifier>-2`, ...
   * @default - the construct's path below its stack, lowercased with dashes
   */
  readonly identifier?: string;
  /**
   * Aurora PostgreSQL version, major.minor. The cluster parameter group's family follows the
   * major version (`aurora-postgresql16`).
   * @default "16.6"
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/AuroraPostgreSQL.Updates.html
   */
  readonly engineVersion?: string;
  /**
   * Instance class of the writer and of the readers this construct provisions (Aurora Auto
   * Scaling gives the readers it adds the writer's class).
   * @default "db.r7g.large"
   */
  readonly instanceClass?: string;
  /**
   * Readers provisioned beside the writer (0-15), spread across the zones after the writer's.
   * @default 1
   */
  readonly readers?: number;
  /**
   * Aurora Auto Scaling of readers on their average CPU.
   * @default - no auto scaling: the cluster keeps `readers` readers
   */
  readonly readerAutoscaling?: AuroraReaderAutoscaling;
  /**
   * Days of automated backups (point-in-time recovery), 1-35.
   * @default 30 (REFERENCE.md: backups 30 days)
   */
  readonly backupRetentionInDays?: number;
  /**
   * Refuse to delete the cluster through the API.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Take a final snapshot (`<identifier>-final`) when the cluster is deleted.
   * @default true
   */
  readonly finalSnapshot?: boolean;
  /**
   * Database created with the cluster.
   * @default "search"
   */
  readonly databaseName?: string;
  /**
   * Master user; its password is generated and rotated by RDS in Secrets Manager.
   * @default "postgres"
   */
  readonly masterUsername?: string;
  /**
   * Performance Insights retention: 7 (free tier), a multiple of 31 up to 713, or 731.
   * @default 7
   */
  readonly performanceInsightsRetentionInDays?: number;
  /**
   * Enhanced Monitoring interval in seconds (0, 1, 5, 10, 15, 30 or 60); 0 turns it off and
   * creates no monitoring role.
   * @default 60
   */
  readonly monitoringIntervalSeconds?: number;
  /**
   * Retention of the PostgreSQL log group.
   * @default 90
   */
  readonly logRetentionInDays?: number;
  /**
   * Statements slower than this are logged with their duration (`log_min_duration_statement`).
   * @default 1000
   */
  readonly slowStatementThresholdMs?: number;
  /**
   * Daily backup window, UTC, `hh:mm-hh:mm`; must not overlap the maintenance window.
   * @default "02:00-03:00"
   */
  readonly preferredBackupWindow?: string;
  /**
   * Weekly maintenance window, UTC, `ddd:hh:mm-ddd:hh:mm`.
   * @default "sun:03:30-sun:04:30"
   */
  readonly preferredMaintenanceWindow?: string;
  /**
   * Certificate authority of the instances' server certificates.
   * @default "rds-ca-rsa2048-g1"
   * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html
   */
  readonly caCertIdentifier?: string;
  /**
   * Terraform `lifecycle.prevent_destroy` on the cluster and its instances: a plan that would
   * destroy or replace them fails instead. Lowering `readers` destroys instances, so that apply
   * needs `preventDestroy: false`.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * An encrypted Aurora PostgreSQL cluster in the isolated subnets: one writer and N readers
 * spread across the zones, TLS forced, IAM database authentication on, the master password
 * managed by RDS in Secrets Manager (never in the Terraform JSON or state), PostgreSQL logs in a
 * KMS-encrypted log group, Performance Insights and Enhanced Monitoring, and optional Aurora
 * Auto Scaling of the readers.
 *
 * The security group admits 5432 from the `clients` only and has no egress rule: the database
 * opens no connections of its own (Terraform removes the default allow-all egress rule of a
 * security group it creates).
 */
export class AuroraPostgres extends Construct {
  /** Cluster (writer) endpoint. */
  public readonly writerEndpoint: string;
  /** Reader endpoint, balancing over the readers (the writer when there is none). */
  public readonly readerEndpoint: string;
  public readonly port: number = POSTGRES_PORT;
  public readonly clusterIdentifier: string;
  public readonly clusterArn: string;
  /** `cluster-XXXX` id used in `rds-db:connect` ARNs for IAM database authentication. */
  public readonly clusterResourceId: string;
  /** Secrets Manager secret of the master user, created and rotated by RDS. */
  public readonly masterUserSecretArn: string;
  public readonly databaseName: string;
  public readonly masterUsername: string;
  /** Security group of the cluster; add rules to it to admit more clients. */
  public readonly securityGroupId: string;
  /** Every provisioned instance, the writer first. */
  public readonly instanceIdentifiers: readonly string[];
  /** The instance created as the writer (a failover may promote a reader). */
  public readonly writerInstanceIdentifier: string;
  public readonly readerInstanceIdentifiers: readonly string[];
  /**
   * The most readers the cluster can have: the provisioned ones, or Aurora Auto Scaling's
   * maximum if that is higher (those instances are not in Terraform).
   */
  public readonly maxReaders: number;
  /** Log group receiving the PostgreSQL log. */
  public readonly logGroupName: string;
  public readonly cluster: RdsCluster;
  public readonly instances: readonly RdsClusterInstance[];

  constructor(scope: Construct, id: string, props: AuroraPostgresProps) {
    super(scope, id);

    const identifier = props.identifier ?? resourceName(this, undefined, 60);
    const engineVersion = props.engineVersion ?? "16.6";
    const instanceClass = props.instanceClass ?? "db.r7g.large";
    const readers = props.readers ?? 1;
    const autoscaling = props.readerAutoscaling;
    const targetCpuPercent = autoscaling?.targetCpuPercent ?? 60;
    const scaleOutCooldownSeconds = autoscaling?.scaleOutCooldownSeconds ?? 300;
    const scaleInCooldownSeconds = autoscaling?.scaleInCooldownSeconds ?? 900;
    const backupRetentionInDays = props.backupRetentionInDays ?? 30;
    const deletionProtection = props.deletionProtection ?? true;
    const finalSnapshot = props.finalSnapshot ?? true;
    const databaseName = props.databaseName ?? "search";
    const masterUsername = props.masterUsername ?? "postgres";
    const performanceInsightsRetentionInDays = props.performanceInsightsRetentionInDays ?? 7;
    const monitoringIntervalSeconds = props.monitoringIntervalSeconds ?? 60;
    const logRetentionInDays = props.logRetentionInDays ?? 90;
    const slowStatementThresholdMs = props.slowStatementThresholdMs ?? 1000;
    const preferredBackupWindow = props.preferredBackupWindow ?? "02:00-03:00";
    const preferredMaintenanceWindow = props.preferredMaintenanceWindow ?? "sun:03:30-sun:04:30";
    const caCertIdentifier = props.caCertIdentifier ?? "rds-ca-rsa2048-g1";
    const preventDestroy = props.preventDestroy ?? true;

    const engineMajor = /^(\d+)\.\d+$/.exec(engineVersion)?.[1];
    validateProps("AuroraPostgres", [
      {
        violated:
          isKnown(identifier) &&
          !(/^[a-z][a-z0-9-]{0,59}$/.test(identifier) && !/--|-$/.test(identifier)),
        message: `\`identifier\` must be 1-60 lowercase letters, digits or hyphens, start with a letter, and neither end with a hyphen nor contain two in a row (instance identifiers append "-N"), got "${identifier}"`,
      },
      {
        violated: isKnown(engineVersion) && engineMajor === undefined,
        message: `\`engineVersion\` must be major.minor, like "16.6", got "${engineVersion}"`,
      },
      {
        violated: isKnown(instanceClass) && !/^db\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceClass),
        message: `\`instanceClass\` must be an RDS instance class like "db.r7g.large", got "${instanceClass}"`,
      },
      wholeNumberRule("readers", readers, 0, MAX_READERS),
      ...(autoscaling
        ? autoscalingRules(autoscaling, readers, {
            targetCpuPercent,
            scaleOutCooldownSeconds,
            scaleInCooldownSeconds,
          })
        : []),
      wholeNumberRule("backupRetentionInDays", backupRetentionInDays, 1, 35),
      {
        violated:
          isKnown(performanceInsightsRetentionInDays) &&
          !isPerformanceInsightsRetention(performanceInsightsRetentionInDays),
        message: `\`performanceInsightsRetentionInDays\` must be 7, a multiple of 31 up to 713, or 731, got ${performanceInsightsRetentionInDays}`,
      },
      {
        violated:
          isKnown(monitoringIntervalSeconds) &&
          !(MONITORING_INTERVALS as readonly number[]).includes(monitoringIntervalSeconds),
        message: `\`monitoringIntervalSeconds\` must be one of ${MONITORING_INTERVALS.join(", ")}, got ${monitoringIntervalSeconds}`,
      },
      logRetentionRule("logRetentionInDays", logRetentionInDays),
      {
        violated:
          isKnown(slowStatementThresholdMs) &&
          !(Number.isInteger(slowStatementThresholdMs) && slowStatementThresholdMs >= 0),
        message: `\`slowStatementThresholdMs\` must be a whole number of milliseconds ≥ 0, got ${slowStatementThresholdMs}`,
      },
      {
        violated: isKnown(databaseName) && !/^[a-z][a-z0-9_]{0,62}$/.test(databaseName),
        message: `\`databaseName\` must be 1-63 lowercase letters, digits or underscores starting with a letter, got "${databaseName}"`,
      },
      {
        violated:
          isKnown(masterUsername) &&
          (!/^[a-z][a-z0-9_]{0,62}$/.test(masterUsername) || masterUsername === "rdsadmin"),
        message: `\`masterUsername\` must be 1-63 lowercase letters, digits or underscores starting with a letter, and not "rdsadmin", got "${masterUsername}"`,
      },
      dailyWindowRule("preferredBackupWindow", preferredBackupWindow),
      weeklyWindowRule("preferredMaintenanceWindow", preferredMaintenanceWindow),
      clientsRule(props.clients),
      {
        violated:
          isKnown(props.network.isolatedSubnetIds) && props.network.isolatedSubnetIds.length < 2,
        message: `\`network.isolatedSubnetIds\` must list subnets in at least 2 zones (a DB subnet group needs 2), got ${props.network.isolatedSubnetIds.length}`,
      },
    ]);

    if (autoscaling && readers === 0 && autoscaling.maxReaders > 0) {
      Annotations.of(this).addWarning(
        "[AuroraPostgres.AutoscalingWithoutReaders] readerAutoscaling scales on the readers' " +
          "average CPU, which no instance publishes while the cluster has no reader: Aurora Auto " +
          "Scaling will not add the first one. Provision at least one reader (`readers` ≥ 1) or " +
          "set minReaders ≥ 1.",
      );
    }

    const family = `aurora-postgresql${engineMajor}`;
    this.clusterIdentifier = identifier;
    this.databaseName = databaseName;
    this.masterUsername = masterUsername;
    this.logGroupName = `/aws/rds/cluster/${identifier}/postgresql`;
    this.instanceIdentifiers = Array.from(
      { length: readers + 1 },
      (_, i) => `${identifier}-${i + 1}`,
    );
    this.writerInstanceIdentifier = this.instanceIdentifiers[0];
    this.readerInstanceIdentifiers = this.instanceIdentifiers.slice(1);
    this.maxReaders = Math.max(readers, autoscaling?.maxReaders ?? 0);
    const lifecycle = preventDestroy ? { preventDestroy: true } : undefined;

    // Network: subnet group in the isolated subnets, a security group admitting the clients.
    const subnetGroup = new DbSubnetGroup(this, "SubnetGroup", {
      name: identifier,
      description: `Isolated subnets of Aurora cluster ${identifier}`,
      subnetIds: [...props.network.isolatedSubnetIds],
    });
    const securityGroup = clientSecurityGroup(this, {
      name: `${identifier}-aurora`,
      description: `Aurora PostgreSQL ${identifier}: 5432 from its clients only`,
      vpcId: props.network.vpcId,
      port: POSTGRES_PORT,
      protocol: "PostgreSQL",
      clients: props.clients,
    });
    this.securityGroupId = securityGroup.id;

    // TLS only, pg_stat_statements for Performance Insights' SQL view, and logs that answer
    // "what was slow, what waited, what changed the schema".
    const parameterGroup = new RdsClusterParameterGroup(this, "ParameterGroup", {
      name: `${identifier}-${family}`,
      family,
      description: `Aurora PostgreSQL ${identifier}: TLS only, pg_stat_statements, slow-statement logging`,
      parameter: [
        { name: "rds.force_ssl", value: "1" },
        {
          name: "shared_preload_libraries",
          value: "pg_stat_statements",
          applyMethod: "pending-reboot",
        },
        { name: "log_min_duration_statement", value: String(slowStatementThresholdMs) },
        { name: "log_lock_waits", value: "1" },
        { name: "log_statement", value: "ddl" },
        // Temporary files of 10 MB or more: a query that spills to disk needs work_mem or an index.
        { name: "log_temp_files", value: "10240" },
        { name: "log_autovacuum_min_duration", value: "10000" },
      ],
      // A new family (major upgrade) means a new group; the cluster moves before the old goes.
      lifecycle: { createBeforeDestroy: true },
    });

    // Created before the cluster so RDS writes into this encrypted, retained group rather than
    // creating an unencrypted one that never expires.
    const logGroup = new CloudwatchLogGroup(this, "PostgresqlLogGroup", {
      name: this.logGroupName,
      retentionInDays: logRetentionInDays,
      kmsKeyId: props.logsKey.arn,
    });

    const cluster = new RdsCluster(this, "Cluster", {
      clusterIdentifier: identifier,
      engine: "aurora-postgresql",
      engineVersion,
      port: POSTGRES_PORT,
      databaseName,
      masterUsername,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.key.arn,
      iamDatabaseAuthenticationEnabled: true,
      storageEncrypted: true,
      kmsKeyId: props.key.arn,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [securityGroup.id],
      dbClusterParameterGroupName: parameterGroup.name,
      backupRetentionPeriod: backupRetentionInDays,
      preferredBackupWindow,
      preferredMaintenanceWindow,
      copyTagsToSnapshot: true,
      deletionProtection,
      skipFinalSnapshot: !finalSnapshot,
      finalSnapshotIdentifier: finalSnapshot ? `${identifier}-final` : undefined,
      enabledCloudwatchLogsExports: ["postgresql"],
      dependsOn: [logGroup],
      lifecycle,
    });
    this.cluster = cluster;
    this.clusterArn = cluster.arn;
    this.writerEndpoint = cluster.endpoint;
    this.readerEndpoint = cluster.readerEndpoint;
    this.clusterResourceId = cluster.clusterResourceId;
    this.masterUserSecretArn = cluster.masterUserSecret.get(0).secretArn;

    const monitoringRoleArn =
      monitoringIntervalSeconds > 0 ? this.createMonitoringRole(identifier) : undefined;

    // The writer is created first so that it, not whichever instance happens to be ready
    // first, becomes the writer; readers follow it round the zones with promotion tiers 1.. so
    // a failover promotes them in order.
    const zones = props.network.availabilityZones;
    const zoneOf = (i: number): string =>
      isKnown(zones) ? zones[i % zones.length] : Fn.element(zones, i);
    const instances: RdsClusterInstance[] = [];
    this.instanceIdentifiers.forEach((instanceIdentifier, i) => {
      instances.push(
        new RdsClusterInstance(this, i === 0 ? "Writer" : `Reader${i}`, {
          identifier: instanceIdentifier,
          clusterIdentifier: cluster.id,
          engine: cluster.engine,
          engineVersion: cluster.engineVersion,
          instanceClass,
          availabilityZone: zoneOf(i),
          promotionTier: Math.min(i, MAX_READERS),
          dbSubnetGroupName: subnetGroup.name,
          publiclyAccessible: false,
          autoMinorVersionUpgrade: true,
          caCertIdentifier,
          performanceInsightsEnabled: true,
          performanceInsightsKmsKeyId: props.key.arn,
          performanceInsightsRetentionPeriod: performanceInsightsRetentionInDays,
          monitoringInterval: monitoringIntervalSeconds,
          monitoringRoleArn,
          preferredMaintenanceWindow,
          copyTagsToSnapshot: true,
          dependsOn: i === 0 ? undefined : [instances[0]],
          lifecycle,
        }),
      );
    });
    this.instances = instances;

    if (autoscaling && autoscaling.maxReaders > 0) {
      const target = new AppautoscalingTarget(this, "ReaderScalingTarget", {
        serviceNamespace: "rds",
        scalableDimension: "rds:cluster:ReadReplicaCount",
        resourceId: `cluster:${cluster.clusterIdentifier}`,
        minCapacity: autoscaling.minReaders,
        maxCapacity: autoscaling.maxReaders,
        // Aurora Auto Scaling only acts on an available cluster with a writer.
        dependsOn: instances,
      });
      new AppautoscalingPolicy(this, "ReaderScalingPolicy", {
        name: `${identifier}-reader-cpu`,
        policyType: "TargetTrackingScaling",
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: targetCpuPercent,
          scaleOutCooldown: scaleOutCooldownSeconds,
          scaleInCooldown: scaleInCooldownSeconds,
          predefinedMetricSpecification: {
            predefinedMetricType: "RDSReaderAverageCPUUtilization",
          },
        },
      });
    }
  }

  /** The role Enhanced Monitoring assumes to publish OS metrics, scoped to this account. */
  private createMonitoringRole(identifier: string): string {
    const partition = new DataAwsPartition(this, "Partition");
    const account = new DataAwsCallerIdentity(this, "Account");
    const trust = new DataAwsIamPolicyDocument(this, "MonitoringTrustPolicy", {
      statement: [
        {
          sid: "EnhancedMonitoringAssumesRole",
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["monitoring.rds.amazonaws.com"] }],
          // Confused-deputy guard: only RDS acting for this account may assume the role.
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
          ],
        },
      ],
    });
    const role = new IamRole(this, "MonitoringRole", {
      name: `${identifier.slice(0, 53)}-monitoring`,
      description: `Enhanced Monitoring of Aurora cluster ${identifier}`,
      assumeRolePolicy: trust.json,
    });
    new IamRolePolicyAttachment(this, "MonitoringRolePolicy", {
      role: role.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
    });
    return role.arn;
  }
}

function autoscalingRules(
  autoscaling: AuroraReaderAutoscaling,
  readers: number,
  resolved: Required<
    Pick<
      AuroraReaderAutoscaling,
      "targetCpuPercent" | "scaleOutCooldownSeconds" | "scaleInCooldownSeconds"
    >
  >,
): PropRule[] {
  const { targetCpuPercent, scaleOutCooldownSeconds, scaleInCooldownSeconds } = resolved;
  const { minReaders, maxReaders } = autoscaling;
  return [
    wholeNumberRule("readerAutoscaling.minReaders", minReaders, 0, MAX_READERS),
    wholeNumberRule("readerAutoscaling.maxReaders", maxReaders, 0, MAX_READERS),
    {
      violated: isKnown(minReaders) && isKnown(maxReaders) && minReaders > maxReaders,
      message: `\`readerAutoscaling.minReaders\` must be ≤ maxReaders (${maxReaders}), got ${minReaders}`,
    },
    {
      violated:
        isKnown(readers) &&
        isKnown(minReaders) &&
        isKnown(maxReaders) &&
        minReaders <= maxReaders &&
        (readers < minReaders || readers > maxReaders),
      message: `\`readers\` must be within readerAutoscaling bounds (${minReaders}-${maxReaders}), got ${readers}`,
    },
    {
      violated: isKnown(targetCpuPercent) && !(targetCpuPercent >= 10 && targetCpuPercent <= 90),
      message: `\`readerAutoscaling.targetCpuPercent\` must be from 10 to 90, got ${targetCpuPercent}`,
    },
    wholeNumberRule("readerAutoscaling.scaleOutCooldownSeconds", scaleOutCooldownSeconds, 0, 3600),
    wholeNumberRule("readerAutoscaling.scaleInCooldownSeconds", scaleInCooldownSeconds, 0, 3600),
  ];
}

function isPerformanceInsightsRetention(days: number): boolean {
  return days === 7 || days === 731 || (days % 31 === 0 && days >= 31 && days <= 713);
}
