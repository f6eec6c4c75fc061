import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import {
  AuroraPostgres,
  ContainerRegistry,
  EksCluster,
  Network,
  PlatformAlarms,
  PlatformDashboard,
  PlatformKeys,
  RedisCache,
} from "../constructs";
import { AURORA_INSTANCE_CLASSES, auroraMaxConnections, type PlatformConfig } from "./config";
import { redisAppUserName, redisReplicationGroupId } from "./derive";
import type { InfraOutputs } from "./infra-outputs";
import { useRemoteState } from "./remote-state";
import { platformTags } from "./tags";

export interface InfraStackProps {
  readonly config: PlatformConfig;
}

/**
 * `search-<env>-infra`: network, KMS keys, EKS, Aurora, ElastiCache, ECR, the alarm topic and
 * the alarms on managed services, composed from the construct library and sized by config.
 *
 * Construct IDs below are Terraform addresses: renaming one moves (destroys and recreates)
 * state. Treat them as public API.
 */
export class InfraStack extends TerraformStack {
  /** What the workloads stack consumes (cross-stack references). */
  public readonly outputs: InfraOutputs;

  constructor(scope: Construct, id: string, props: InfraStackProps) {
    super(scope, id);
    const { config } = props;
    const prefix = `search-${config.name}`;

    new AwsProvider(this, "aws", {
      region: config.aws.region,
      allowedAccountIds: config.aws.accountId ? [config.aws.accountId] : undefined,
      defaultTags: [{ tags: platformTags(config) }],
    });
    useRemoteState(this, id, config);

    const keys = new PlatformKeys(this, "keys", {
      namePrefix: prefix,
      preventDestroy: config.preventDestroy,
      createAutoScalingServiceLinkedRole: config.aws.createAutoScalingServiceLinkedRole,
    });

    const network = new Network(this, "network", {
      namePrefix: prefix,
      availabilityZones: config.aws.availabilityZones,
      cidrBlock: config.network.vpcCidr,
      natGateways: config.network.natGateways,
      logsKey: keys.logs,
      flowLogRetentionInDays: config.network.flowLogRetentionInDays,
      clusterName: prefix,
      existing: config.network.existing,
    });

    const cluster = new EksCluster(this, "cluster", {
      name: prefix,
      network,
      version: config.eks.version,
      secretsKey: keys.clusterSecrets,
      nodeVolumeKey: keys.nodeVolumes,
      logsKey: keys.logs,
      addons: config.eks.addons,
      nodeGroups: config.eks.nodeGroups,
      endpointPublicAccess: config.eks.endpoint.publicAccess,
      endpointPublicAccessCidrs: config.eks.endpoint.publicAccessCidrs,
      adminPrincipalArns: config.eks.adminPrincipalArns,
      logRetentionInDays: config.eks.logRetentionInDays,
      deletionProtection: config.preventDestroy,
    });

    const { aurora } = config;
    const database = new AuroraPostgres(this, "database", {
      identifier: prefix,
      network,
      key: keys.database,
      logsKey: keys.logs,
      clients: [cluster.nodes],
      engineVersion: aurora.engineVersion,
      instanceClass: aurora.instanceClass,
      readers: aurora.readers,
      readerAutoscaling: aurora.readerAutoscaling,
      backupRetentionInDays: aurora.backupRetentionInDays,
      deletionProtection: aurora.deletionProtection,
      finalSnapshot: aurora.finalSnapshot,
      databaseName: aurora.databaseName,
      performanceInsightsRetentionInDays: aurora.performanceInsightsRetentionInDays,
      monitoringIntervalSeconds: aurora.monitoringIntervalSeconds,
      logRetentionInDays: aurora.logRetentionInDays,
      preferredBackupWindow: aurora.preferredBackupWindow,
      preferredMaintenanceWindow: aurora.preferredMaintenanceWindow,
      preventDestroy: config.preventDestroy,
    });

    const { redis } = config;
    const cache = new RedisCache(this, "cache", {
      replicationGroupId: redisReplicationGroupId(config),
      network,
      key: keys.cache,
      logsKey: keys.logs,
      clients: [cluster.nodes],
      engineVersion: redis.engineVersion,
      nodeType: redis.nodeType,
      shards: redis.shards,
      replicasPerShard: redis.replicasPerShard,
      snapshotRetentionInDays: redis.snapshotRetentionInDays,
      evictionPolicy: redis.evictionPolicy,
      reservedMemoryPercent: redis.reservedMemoryPercent,
      transitEncryption: redis.transitEncryption,
      logRetentionInDays: redis.logRetentionInDays,
      appUserName: redisAppUserName(config),
      preventDestroy: config.preventDestroy,
    });

    const registry = new ContainerRegistry(this, "registry", {
      name: `${prefix}/search-service`,
      key: keys.registry,
      preventDestroy: config.preventDestroy,
    });

    const databaseAlarmSubject = {
      clusterIdentifier: database.clusterIdentifier,
      instanceIdentifiers: database.instanceIdentifiers,
      readerInstanceIdentifiers: database.readerInstanceIdentifiers,
      maxReaders: database.maxReaders,
    };
    const cacheSubject = {
      replicationGroupId: cache.replicationGroupId,
      memberClusterIds: cache.memberClusterIds,
      replicasPerShard: cache.replicasPerShard,
      evictionPolicy: cache.evictionPolicy,
    };
    const alarms = new PlatformAlarms(this, "alarms", {
      namePrefix: prefix,
      key: keys.alarms,
      emails: config.observability.alarmEmails,
      thresholds: config.observability.thresholds,
      database: {
        cluster: databaseAlarmSubject,
        instanceMemoryGiB: AURORA_INSTANCE_CLASSES[aurora.instanceClass].memoryGiB,
        maxConnections: auroraMaxConnections(aurora.instanceClass),
      },
      cache: cacheSubject,
      eksClusterName: cluster.name,
    });

    new PlatformDashboard(this, "dashboard", {
      dashboardName: prefix,
      database: databaseAlarmSubject,
      cache: cacheSubject,
      eksClusterName: cluster.name,
      alarms,
      thresholds: config.observability.thresholds,
      region: config.aws.region,
    });

    this.outputs = {
      region: config.aws.region,
      network,
      cluster: {
        name: cluster.name,
        endpoint: cluster.endpoint,
        certificateAuthorityData: cluster.certificateAuthorityData,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        nodeSecurityGroupId: cluster.nodes.securityGroupId,
      },
      database: {
        writerEndpoint: database.writerEndpoint,
        readerEndpoint: database.readerEndpoint,
        port: database.port,
        databaseName: database.databaseName,
        clusterResourceId: database.clusterResourceId,
        masterSecretArn: database.masterUserSecretArn,
      },
      cache: {
        primaryEndpoint: cache.primaryEndpoint,
        readerEndpoint: cache.readerEndpoint,
        port: cache.port,
        transitEncryption: cache.transitEncryption,
        replicationGroupId: cache.replicationGroupId,
      },
      registry: { repositoryUrl: registry.repositoryUrl, repositoryArn: registry.repositoryArn },
      alarmTopicArn: alarms.topicArn,
      keys: { logs: keys.logs, auditHmac: keys.auditHmac },
    };

    // For people reading `cdktf output`; the workloads stack reads the same values through
    // cross-stack references, which cdktf turns into outputs of their own.
    const describe = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description });
    describe(
      "cluster-name",
      cluster.name,
      "EKS cluster name (aws eks update-kubeconfig --name ...)",
    );
    describe("image-repository-url", registry.repositoryUrl, "Push the service image here");
    describe("database-writer-endpoint", database.writerEndpoint, "Aurora writer endpoint");
    describe("database-reader-endpoint", database.readerEndpoint, "Aurora reader endpoint");
    describe(
      "database-master-secret-arn",
      database.masterUserSecretArn,
      "Secrets Manager secret of the master user (RDS-managed)",
    );
    describe(
      "cache-primary-endpoint",
      cache.primaryEndpoint,
      "ElastiCache primary (or configuration) endpoint",
    );
    describe("alarm-topic-arn", alarms.topicArn, "SNS topic every alarm notifies");
  }
}
