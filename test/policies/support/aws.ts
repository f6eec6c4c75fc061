/**
 * Compliant-by-default AWS resources, built with the provider classes (deep imports) so that
 * fixtures have exactly the shape cdktf synthesizes. Each takes overrides to break one thing.
 */
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import {
  CloudwatchLogGroup,
  type CloudwatchLogGroupConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksCluster, type EksClusterConfig } from "@cdktf/provider-aws/lib/eks-cluster";
import {
  ElasticacheReplicationGroup,
  type ElasticacheReplicationGroupConfig,
} from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { KmsKey, type KmsKeyConfig } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate, type LaunchTemplateConfig } from "@cdktf/provider-aws/lib/launch-template";
import { RdsCluster, type RdsClusterConfig } from "@cdktf/provider-aws/lib/rds-cluster";
import {
  RdsClusterInstance,
  type RdsClusterInstanceConfig,
} from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsClusterParameterGroup } from "@cdktf/provider-aws/lib/rds-cluster-parameter-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";

export const ACCOUNT_ROOT = "arn:aws:iam::111122223333:root";

/** A variable: its value is `${var.<name>}`, which no rule can read at synth time. */
export function variable(scope: Construct, name: string, type = "string"): TerraformVariable {
  return new TerraformVariable(scope, name, { type });
}

export function policyDocument(
  scope: Construct,
  id: string,
  statement: DataAwsIamPolicyDocumentStatement[],
) {
  return new DataAwsIamPolicyDocument(scope, id, { statement });
}

/** The usual key policy: the account root administers, CloudWatch Logs uses it from this account. */
export function keyPolicy(scope: Construct, id = "key-policy") {
  return policyDocument(scope, id, [
    {
      sid: "Root",
      actions: ["kms:*"],
      resources: ["*"],
      principals: [{ type: "AWS", identifiers: [ACCOUNT_ROOT] }],
    },
    {
      sid: "Logs",
      actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
      resources: ["*"],
      principals: [{ type: "Service", identifiers: ["logs.eu-west-1.amazonaws.com"] }],
      condition: [
        { test: "StringEquals", variable: "aws:SourceAccount", values: ["111122223333"] },
      ],
    },
  ]);
}

export function kmsKey(
  scope: Construct,
  id = "key",
  overrides: Partial<KmsKeyConfig> = {},
): KmsKey {
  return new KmsKey(scope, id, {
    enableKeyRotation: true,
    policy: keyPolicy(scope, `${id}-policy`).json,
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}

export function vpc(scope: Construct, id = "vpc"): Vpc {
  return new Vpc(scope, id, { cidrBlock: "10.0.0.0/16" });
}

export function subnet(
  scope: Construct,
  id: string,
  network: Vpc,
  zone: string,
  cidr: string,
): Subnet {
  return new Subnet(scope, id, { vpcId: network.id, availabilityZone: zone, cidrBlock: cidr });
}

export function eksCluster(
  scope: Construct,
  overrides: Partial<EksClusterConfig> = {},
): EksCluster {
  const key = kmsKey(scope, "cluster-key");
  return new EksCluster(scope, "cluster", {
    name: "search",
    roleArn: "arn:aws:iam::111122223333:role/cluster",
    vpcConfig: {
      subnetIds: ["subnet-0a", "subnet-0b"],
      endpointPrivateAccess: true,
      endpointPublicAccess: false,
    },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
    enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    accessConfig: { authenticationMode: "API" },
    ...overrides,
  });
}

export function launchTemplate(
  scope: Construct,
  overrides: Partial<LaunchTemplateConfig> = {},
): LaunchTemplate {
  const key = kmsKey(scope, "volumes-key");
  return new LaunchTemplate(scope, "nodes", {
    metadataOptions: {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    },
    blockDeviceMappings: [
      { deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: key.arn, volumeSize: 50 } },
    ],
    ...overrides,
  });
}

export function auroraParameterGroup(scope: Construct, forceSsl = "1"): RdsClusterParameterGroup {
  return new RdsClusterParameterGroup(scope, "parameters", {
    name: "search-aurora-postgresql16",
    family: "aurora-postgresql16",
    parameter: [
      { name: "rds.force_ssl", value: forceSsl },
      { name: "log_min_duration_statement", value: "1000" },
    ],
  });
}

export function auroraCluster(
  scope: Construct,
  overrides: Partial<RdsClusterConfig> = {},
  forceSsl = "1",
): RdsCluster {
  const key = kmsKey(scope, "database-key");
  const parameters = auroraParameterGroup(scope, forceSsl);
  return new RdsCluster(scope, "database", {
    clusterIdentifier: "search",
    engine: "aurora-postgresql",
    engineVersion: "16.6",
    masterUsername: "search_admin",
    manageMasterUserPassword: true,
    storageEncrypted: true,
    kmsKeyId: key.arn,
    iamDatabaseAuthenticationEnabled: true,
    dbClusterParameterGroupName: parameters.name,
    backupRetentionPeriod: 30,
    deletionProtection: true,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: "search-final",
    enabledCloudwatchLogsExports: ["postgresql"],
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}

export function auroraInstance(
  scope: Construct,
  id: string,
  cluster: RdsCluster,
  overrides: Partial<RdsClusterInstanceConfig> = {},
): RdsClusterInstance {
  return new RdsClusterInstance(scope, id, {
    clusterIdentifier: cluster.id,
    instanceClass: "db.r7g.large",
    engine: "aurora-postgresql",
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}

export function replicationGroup(
  scope: Construct,
  overrides: Partial<ElasticacheReplicationGroupConfig> = {},
): ElasticacheReplicationGroup {
  const key = kmsKey(scope, "cache-key");
  const users = new ElasticacheUserGroup(scope, "users", {
    engine: "redis",
    userGroupId: "search-users",
    userIds: ["default"],
  });
  const slowLog = logGroup(scope, "slow-log", { name: "/aws/elasticache/search/slow-log" });
  const engineLog = logGroup(scope, "engine-log", { name: "/aws/elasticache/search/engine-log" });
  return new ElasticacheReplicationGroup(scope, "cache", {
    replicationGroupId: "search",
    description: "search cache",
    engine: "redis",
    nodeType: "cache.r7g.large",
    numNodeGroups: 1,
    replicasPerNodeGroup: 2,
    atRestEncryptionEnabled: "true",
    kmsKeyId: key.arn,
    transitEncryptionEnabled: true,
    userGroupIds: [users.userGroupId],
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    snapshotRetentionLimit: 7,
    logDeliveryConfiguration: [
      {
        destination: slowLog.name,
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType: "slow-log",
      },
      {
        destination: engineLog.name,
        destinationType: "cloudwatch-logs",
        logFormat: "json",
        logType: "engine-log",
      },
    ],
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}

export function logGroup(
  scope: Construct,
  id: string,
  overrides: Partial<CloudwatchLogGroupConfig> = {},
): CloudwatchLogGroup {
  const key = kmsKey(scope, `${id}-key`);
  return new CloudwatchLogGroup(scope, id, {
    name: `/search/${id}`,
    retentionInDays: 365,
    kmsKeyId: key.arn,
    ...overrides,
  });
}
