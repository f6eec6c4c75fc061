import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import {
  ElasticacheUser,
  type ElasticacheUserConfig,
} from "@cdktf/provider-aws/lib/elasticache-user";
import type { Construct } from "constructs";
import { auroraBackupRetention } from "../../../policies/rules/aurora/aurora-backup-retention";
import { auroraDeletionProtection } from "../../../policies/rules/aurora/aurora-deletion-protection";
import { auroraFinalSnapshot } from "../../../policies/rules/aurora/aurora-final-snapshot";
import { auroraForceSsl } from "../../../policies/rules/aurora/aurora-force-ssl";
import { auroraIamAuth } from "../../../policies/rules/aurora/aurora-iam-auth";
import { auroraInstancesPrivate } from "../../../policies/rules/aurora/aurora-instances-private";
import { auroraLogExports } from "../../../policies/rules/aurora/aurora-log-exports";
import { auroraManagedMasterPassword } from "../../../policies/rules/aurora/aurora-managed-master-password";
import { auroraMultiAz } from "../../../policies/rules/aurora/aurora-multi-az";
import { auroraPerformanceInsightsEncrypted } from "../../../policies/rules/aurora/aurora-performance-insights-encrypted";
import { auroraStorageEncrypted } from "../../../policies/rules/aurora/aurora-storage-encrypted";
import { elasticacheAtRestEncryption } from "../../../policies/rules/elasticache/elasticache-at-rest-encryption";
import { elasticacheAuth } from "../../../policies/rules/elasticache/elasticache-auth";
import { elasticacheAutomaticFailover } from "../../../policies/rules/elasticache/elasticache-automatic-failover";
import { elasticacheInTransitEncryption } from "../../../policies/rules/elasticache/elasticache-in-transit-encryption";
import { elasticacheLogDelivery } from "../../../policies/rules/elasticache/elasticache-log-delivery";
import { elasticacheMultiAz } from "../../../policies/rules/elasticache/elasticache-multi-az";
import { elasticacheSnapshots } from "../../../policies/rules/elasticache/elasticache-snapshots";
import { elasticacheUserAuthentication } from "../../../policies/rules/elasticache/elasticache-user-authentication";
import { auroraCluster, auroraInstance, kmsKey, replicationGroup, variable } from "../support/aws";
import { compliant, fails, unreadable, type RuleCase } from "../support/cases";

/** A cluster with a writer and a reader in two zones. */
function multiAzCluster(
  scope: Construct,
  zones: (string | undefined)[] = ["eu-west-1a", "eu-west-1b"],
) {
  const cluster = auroraCluster(scope);
  zones.forEach((zone, i) =>
    auroraInstance(scope, `instance-${i}`, cluster, { availabilityZone: zone }),
  );
  return cluster;
}

function cacheUser(scope: Construct, overrides: Partial<ElasticacheUserConfig> = {}) {
  return new ElasticacheUser(scope, "user", {
    engine: "redis",
    userId: "search-app",
    userName: "search-app",
    accessString: "on ~search:* +@all -@dangerous",
    authenticationMode: { type: "iam" },
    ...overrides,
  });
}

export const dataCases: RuleCase[] = [
  // aurora-storage-encrypted
  {
    rule: auroraStorageEncrypted,
    name: "passes storage under a customer key",
    build: (s) => auroraCluster(s),
    expect: compliant,
  },
  {
    rule: auroraStorageEncrypted,
    name: "fails unencrypted storage",
    build: (s) => auroraCluster(s, { storageEncrypted: false }),
    expect: fails(/`storage_encrypted` is false or not set/),
  },
  {
    rule: auroraStorageEncrypted,
    name: "fails encryption under the AWS managed key",
    build: (s) => auroraCluster(s, { kmsKeyId: undefined }),
    expect: fails(/`kms_key_id` is not set \(RDS then uses the AWS managed aws\/rds key\)/),
  },
  {
    rule: auroraStorageEncrypted,
    name: "fails closed when the key comes from a variable",
    build: (s) => auroraCluster(s, { kmsKeyId: variable(s, "key").stringValue }),
    expect: unreadable(/`kms_key_id` is \$\{var\.key\}/),
  },

  // aurora-managed-master-password
  {
    rule: auroraManagedMasterPassword,
    name: "passes an RDS-managed password",
    build: (s) => auroraCluster(s),
    expect: compliant,
  },
  {
    rule: auroraManagedMasterPassword,
    name: "fails a password in the configuration",
    build: (s) =>
      auroraCluster(s, {
        manageMasterUserPassword: undefined,
        masterPassword: variable(s, "db_password").stringValue,
      }),
    expect: fails(/`master_password` is set: the password lives in the configuration or the state/),
  },
  {
    rule: auroraManagedMasterPassword,
    name: "fails closed when management is switched by a variable",
    build: (s) =>
      auroraCluster(s, { manageMasterUserPassword: variable(s, "managed", "bool").booleanValue }),
    expect: unreadable(/`manage_master_user_password` is \$\{var\.managed\}/),
  },

  // aurora-iam-auth
  {
    rule: auroraIamAuth,
    name: "passes IAM authentication",
    build: (s) => auroraCluster(s),
    expect: compliant,
  },
  {
    rule: auroraIamAuth,
    name: "fails without IAM authentication",
    build: (s) => auroraCluster(s, { iamDatabaseAuthenticationEnabled: false }),
    expect: fails(/`iam_database_authentication_enabled` is false or not set/),
  },
  {
    rule: auroraIamAuth,
    name: "fails closed when it comes from a variable",
    build: (s) =>
      auroraCluster(s, {
        iamDatabaseAuthenticationEnabled: variable(s, "iam", "bool").booleanValue,
      }),
    expect: unreadable(/\$\{var\.iam\}/),
  },

  // aurora-force-ssl
  {
    rule: auroraForceSsl,
    name: "passes a parameter group forcing TLS (named by reference)",
    build: (s) => auroraCluster(s),
    expect: compliant,
  },
  {
    rule: auroraForceSsl,
    name: "passes a parameter group of the stack named by its literal name",
    build: (s) => auroraCluster(s, { dbClusterParameterGroupName: "search-aurora-postgresql16" }),
    expect: compliant,
  },
  {
    rule: auroraForceSsl,
    name: "fails when the group allows clear text",
    build: (s) => auroraCluster(s, {}, "0"),
    expect: fails(/sets `rds\.force_ssl` to "0"/),
  },
  {
    rule: auroraForceSsl,
    name: "fails on the default parameter group",
    build: (s) => auroraCluster(s, { dbClusterParameterGroupName: undefined }),
    expect: fails(/`db_cluster_parameter_group_name` is not set: the default group is used/),
  },
  {
    rule: auroraForceSsl,
    name: "fails closed on a group that is not in the stack",
    build: (s) => auroraCluster(s, { dbClusterParameterGroupName: "shared-group" }),
    expect: unreadable(
      /is the literal "shared-group", expected a reference to a aws_rds_cluster_parameter_group/,
    ),
  },

  // aurora-backup-retention
  {
    rule: auroraBackupRetention,
    name: "passes 30 days in prod",
    build: (s) => auroraCluster(s),
    expect: compliant,
  },
  {
    rule: auroraBackupRetention,
    name: "fails 7 days in prod, where 30 are needed",
    build: (s) => auroraCluster(s, { backupRetentionPeriod: 7 }),
    expect: fails(/`backup_retention_period` is 7 days; prod needs at least 30/),
  },
  {
    rule: auroraBackupRetention,
    name: "passes 7 days in dev",
    stage: "dev",
    build: (s) => auroraCluster(s, { backupRetentionPeriod: 7 }),
    expect: compliant,
  },
  {
    rule: auroraBackupRetention,
    name: "fails the provider's default of 1 day",
    stage: "dev",
    build: (s) => auroraCluster(s, { backupRetentionPeriod: undefined }),
    expect: fails(/^`backup_retention_period` is 1 day; dev needs at least 7$/),
  },
  {
    rule: auroraBackupRetention,
    name: "fails closed when retention comes from a variable",
    build: (s) =>
      auroraCluster(s, { backupRetentionPeriod: variable(s, "days", "number").numberValue }),
    expect: unreadable(/\$\{var\.days\}/),
  },

  // aurora-deletion-protection
  {
    rule: auroraDeletionProtection,
    name: "passes deletion protection",
    build: (s) => auroraCluster(s),
    expect: compliant,
  },
  {
    rule: auroraDeletionProtection,
    name: "fails without deletion protection",
    build: (s) => auroraCluster(s, { deletionProtection: undefined }),
    expect: fails(/`deletion_protection` is false or not set/),
  },
  {
    rule: auroraDeletionProtection,
    name: "fails closed when it comes from a variable",
    build: (s) =>
      auroraCluster(s, { deletionProtection: variable(s, "protect", "bool").booleanValue }),
    expect: unreadable(/\$\{var\.protect\}/),
  },

  // aurora-log-exports
  {
    rule: auroraLogExports,
    name: "passes the postgresql log exported",
    build: (s) => auroraCluster(s),
    expect: compliant,
  },
  {
    rule: auroraLogExports,
    name: "fails when no log is exported",
    build: (s) => auroraCluster(s, { enabledCloudwatchLogsExports: [] }),
    expect: fails(/logs not exported to CloudWatch: postgresql/),
  },
  {
    rule: auroraLogExports,
    name: "fails closed when the exports come from a variable",
    build: (s) =>
      auroraCluster(s, {
        enabledCloudwatchLogsExports: variable(s, "exports", "list(string)").listValue,
      }),
    expect: unreadable(/\$\{var\.exports\}/),
  },

  // aurora-performance-insights-encrypted
  {
    rule: auroraPerformanceInsightsEncrypted,
    name: "passes Performance Insights under a customer key",
    build: (s) => {
      const key = kmsKey(s, "pi-key");
      auroraInstance(s, "writer", auroraCluster(s), {
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: key.arn,
      });
    },
    expect: compliant,
  },
  {
    rule: auroraPerformanceInsightsEncrypted,
    name: "fails Performance Insights under the AWS managed key",
    build: (s) =>
      auroraInstance(s, "writer", auroraCluster(s), { performanceInsightsEnabled: true }),
    expect: fails(
      /`performance_insights_kms_key_id` is not set \(Performance Insights then uses the AWS managed aws\/rds key\)/,
    ),
  },
  {
    rule: auroraPerformanceInsightsEncrypted,
    name: "fails closed when enabling comes from a variable",
    build: (s) =>
      auroraInstance(s, "writer", auroraCluster(s), {
        performanceInsightsEnabled: variable(s, "pi", "bool").booleanValue,
      }),
    expect: unreadable(/\$\{var\.pi\}/),
  },

  // aurora-multi-az
  {
    rule: auroraMultiAz,
    name: "passes a writer and a reader in two zones",
    build: (s) => multiAzCluster(s),
    expect: compliant,
  },
  {
    rule: auroraMultiAz,
    name: "fails a writer without readers",
    build: (s) => multiAzCluster(s, ["eu-west-1a"]),
    expect: fails(
      /the cluster has 1 instance\(s\) in the stack; failover needs a reader in another zone/,
    ),
  },
  {
    rule: auroraMultiAz,
    name: "fails two instances in one zone",
    build: (s) => multiAzCluster(s, ["eu-west-1a", "eu-west-1a"]),
    expect: fails(/all 2 instances are in eu-west-1a/),
  },
  {
    rule: auroraMultiAz,
    name: "fails closed when a zone is left to RDS",
    build: (s) => multiAzCluster(s, ["eu-west-1a", undefined]),
    expect: unreadable(
      /`availability_zone` is not set \(RDS picks the zone, possibly the writer's\)/,
    ),
  },

  // aurora-final-snapshot
  {
    rule: auroraFinalSnapshot,
    name: "passes a final snapshot on destroy",
    build: (s) => auroraCluster(s),
    expect: compliant,
  },
  {
    rule: auroraFinalSnapshot,
    name: "fails when the final snapshot is skipped",
    build: (s) => auroraCluster(s, { skipFinalSnapshot: true, finalSnapshotIdentifier: undefined }),
    expect: fails(/`skip_final_snapshot` is true/),
  },
  {
    rule: auroraFinalSnapshot,
    name: "fails closed when skipping comes from a variable",
    build: (s) => auroraCluster(s, { skipFinalSnapshot: variable(s, "skip", "bool").booleanValue }),
    expect: unreadable(/\$\{var\.skip\}/),
  },

  // aurora-instances-private
  {
    rule: auroraInstancesPrivate,
    name: "passes private instances",
    build: (s) => multiAzCluster(s),
    expect: compliant,
  },
  {
    rule: auroraInstancesPrivate,
    name: "fails a publicly accessible instance",
    build: (s) => auroraInstance(s, "writer", auroraCluster(s), { publiclyAccessible: true }),
    expect: fails(/`publicly_accessible` is true/),
  },
  {
    rule: auroraInstancesPrivate,
    name: "fails closed when it comes from a variable",
    build: (s) =>
      auroraInstance(s, "writer", auroraCluster(s), {
        publiclyAccessible: variable(s, "public", "bool").booleanValue,
      }),
    expect: unreadable(/\$\{var\.public\}/),
  },

  // elasticache-at-rest-encryption
  {
    rule: elasticacheAtRestEncryption,
    name: "passes encryption under a customer key",
    build: (s) => replicationGroup(s),
    expect: compliant,
  },
  {
    rule: elasticacheAtRestEncryption,
    name: "fails without encryption at rest",
    build: (s) => replicationGroup(s, { atRestEncryptionEnabled: "false" }),
    expect: fails(/`at_rest_encryption_enabled` is false/),
  },
  {
    rule: elasticacheAtRestEncryption,
    name: "fails when the setting is absent",
    build: (s) => replicationGroup(s, { atRestEncryptionEnabled: undefined }),
    expect: fails(/`at_rest_encryption_enabled` is not set/),
  },
  {
    rule: elasticacheAtRestEncryption,
    name: "fails closed when the key comes from a variable",
    build: (s) => replicationGroup(s, { kmsKeyId: variable(s, "key").stringValue }),
    expect: unreadable(/`kms_key_id` is \$\{var\.key\}/),
  },

  // elasticache-in-transit-encryption
  {
    rule: elasticacheInTransitEncryption,
    name: "passes required TLS",
    build: (s) => replicationGroup(s),
    expect: compliant,
  },
  {
    rule: elasticacheInTransitEncryption,
    name: "fails clear-text connections",
    build: (s) => replicationGroup(s, { transitEncryptionEnabled: false }),
    expect: fails(/clients talk to Redis in clear text/),
  },
  {
    rule: elasticacheInTransitEncryption,
    name: "fails the preferred (migration) mode",
    build: (s) => replicationGroup(s, { transitEncryptionMode: "preferred" }),
    expect: fails(/`transit_encryption_mode` is "preferred"/),
  },
  {
    rule: elasticacheInTransitEncryption,
    name: "fails closed when it comes from a variable",
    build: (s) =>
      replicationGroup(s, { transitEncryptionEnabled: variable(s, "tls", "bool").booleanValue }),
    expect: unreadable(/\$\{var\.tls\}/),
  },

  // elasticache-auth
  {
    rule: elasticacheAuth,
    name: "passes an RBAC user group",
    build: (s) => replicationGroup(s),
    expect: compliant,
  },
  {
    rule: elasticacheAuth,
    name: "passes an AUTH token from a generated secret",
    build: (s) =>
      replicationGroup(s, {
        userGroupIds: undefined,
        authToken: new DataAwsSecretsmanagerSecretVersion(s, "token", {
          secretId: "search/cache-token",
        }).secretString,
      }),
    expect: compliant,
  },
  {
    rule: elasticacheAuth,
    name: "fails without any authentication",
    build: (s) => replicationGroup(s, { userGroupIds: undefined }),
    expect: fails(/neither `user_group_ids` nor `auth_token` is set/),
  },
  {
    rule: elasticacheAuth,
    name: "fails a literal AUTH token",
    build: (s) =>
      replicationGroup(s, { userGroupIds: undefined, authToken: "correct-horse-battery-staple" }),
    expect: fails(/`auth_token` is a literal/),
  },
  {
    rule: elasticacheAuth,
    name: "fails closed when the token comes from a variable",
    build: (s) =>
      replicationGroup(s, { userGroupIds: undefined, authToken: variable(s, "token").stringValue }),
    expect: unreadable(/`auth_token` is \$\{var\.token\}, which cannot be checked/),
  },

  // elasticache-user-authentication
  {
    rule: elasticacheUserAuthentication,
    name: "passes an IAM-authenticated user",
    build: (s) => cacheUser(s),
    expect: compliant,
  },
  {
    rule: elasticacheUserAuthentication,
    name: "passes the default user switched off",
    build: (s) =>
      cacheUser(s, {
        userId: "default-off",
        userName: "default",
        accessString: "off ~* -@all",
        authenticationMode: undefined,
        noPasswordRequired: true,
      }),
    expect: compliant,
  },
  {
    rule: elasticacheUserAuthentication,
    name: "fails an enabled user that needs no password",
    build: (s) => cacheUser(s, { authenticationMode: undefined, noPasswordRequired: true }),
    expect: fails(/`no_password_required` is true on an enabled user/),
  },
  {
    rule: elasticacheUserAuthentication,
    name: "fails closed when the access string comes from a variable",
    build: (s) => cacheUser(s, { accessString: variable(s, "access").stringValue }),
    expect: unreadable(/`access_string` is \$\{var\.access\}/),
  },

  // elasticache-automatic-failover
  {
    rule: elasticacheAutomaticFailover,
    name: "passes automatic failover",
    build: (s) => replicationGroup(s),
    expect: compliant,
  },
  {
    rule: elasticacheAutomaticFailover,
    name: "fails without automatic failover",
    build: (s) => replicationGroup(s, { automaticFailoverEnabled: false, multiAzEnabled: false }),
    expect: fails(/`automatic_failover_enabled` is false or not set/),
  },
  {
    rule: elasticacheAutomaticFailover,
    name: "fails closed when it comes from a variable",
    build: (s) =>
      replicationGroup(s, {
        automaticFailoverEnabled: variable(s, "failover", "bool").booleanValue,
      }),
    expect: unreadable(/\$\{var\.failover\}/),
  },

  // elasticache-multi-az
  {
    rule: elasticacheMultiAz,
    name: "passes multi-AZ",
    build: (s) => replicationGroup(s),
    expect: compliant,
  },
  {
    rule: elasticacheMultiAz,
    name: "fails without multi-AZ",
    build: (s) => replicationGroup(s, { multiAzEnabled: undefined }),
    expect: fails(/`multi_az_enabled` is false or not set/),
  },
  {
    rule: elasticacheMultiAz,
    name: "fails closed when it comes from a variable",
    build: (s) =>
      replicationGroup(s, { multiAzEnabled: variable(s, "multi", "bool").booleanValue }),
    expect: unreadable(/\$\{var\.multi\}/),
  },

  // elasticache-snapshots
  {
    rule: elasticacheSnapshots,
    name: "passes 7 days of snapshots in prod",
    build: (s) => replicationGroup(s),
    expect: compliant,
  },
  {
    rule: elasticacheSnapshots,
    name: "fails 3 days in prod, where 7 are needed",
    build: (s) => replicationGroup(s, { snapshotRetentionLimit: 3 }),
    expect: fails(/`snapshot_retention_limit` is 3 days; prod needs at least 7/),
  },
  {
    rule: elasticacheSnapshots,
    name: "fails no snapshots at all in dev",
    stage: "dev",
    build: (s) => replicationGroup(s, { snapshotRetentionLimit: undefined }),
    expect: fails(/is 0 days; dev needs at least 1/),
  },
  {
    rule: elasticacheSnapshots,
    name: "fails closed when retention comes from a variable",
    build: (s) =>
      replicationGroup(s, { snapshotRetentionLimit: variable(s, "snaps", "number").numberValue }),
    expect: unreadable(/\$\{var\.snaps\}/),
  },

  // elasticache-log-delivery
  {
    rule: elasticacheLogDelivery,
    name: "passes slow and engine logs delivered",
    build: (s) => replicationGroup(s),
    expect: compliant,
  },
  {
    rule: elasticacheLogDelivery,
    name: "fails when the engine log is not delivered",
    build: (s) =>
      replicationGroup(s, {
        logDeliveryConfiguration: [
          {
            destination: "/aws/elasticache/search/slow-log",
            destinationType: "cloudwatch-logs",
            logFormat: "json",
            logType: "slow-log",
          },
        ],
      }),
    expect: fails(/not delivered: engine-log/),
  },
  {
    rule: elasticacheLogDelivery,
    name: "fails closed when a log type comes from a variable",
    build: (s) =>
      replicationGroup(s, {
        logDeliveryConfiguration: [
          {
            destination: "x",
            destinationType: "cloudwatch-logs",
            logFormat: "json",
            logType: variable(s, "type").stringValue,
          },
        ],
      }),
    expect: unreadable(/`log_type` is \$\{var\.type\}/),
  },
];
