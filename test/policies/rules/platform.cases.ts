import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository, type EcrRepositoryConfig } from "@cdktf/provider-aws/lib/ecr-repository";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { S3Backend, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { ecrImmutableTags } from "../../../policies/rules/ecr/ecr-immutable-tags";
import { ecrKmsEncryption } from "../../../policies/rules/ecr/ecr-kms-encryption";
import { ecrLifecyclePolicy } from "../../../policies/rules/ecr/ecr-lifecycle-policy";
import { ecrNoForceDelete } from "../../../policies/rules/ecr/ecr-no-force-delete";
import { ecrScanOnPush } from "../../../policies/rules/ecr/ecr-scan-on-push";
import { statefulPreventDestroy } from "../../../policies/rules/lifecycle/stateful-prevent-destroy";
import { logGroupAuditRetention } from "../../../policies/rules/logs/log-group-audit-retention";
import { logGroupKms } from "../../../policies/rules/logs/log-group-kms";
import { logGroupRetentionSet } from "../../../policies/rules/logs/log-group-retention-set";
import { logGroupSecurityRetention } from "../../../policies/rules/logs/log-group-security-retention";
import { alarmHasActions } from "../../../policies/rules/monitoring/alarm-has-actions";
import { secretsNoAwsAccessKeys } from "../../../policies/rules/secrets/secrets-no-aws-access-keys";
import { secretsNoLiteralCredentials } from "../../../policies/rules/secrets/secrets-no-literal-credentials";
import { secretsNoPrivateKeys } from "../../../policies/rules/secrets/secrets-no-private-keys";
import { snsTopicEncrypted } from "../../../policies/rules/sns/sns-topic-encrypted";
import { snsTopicPolicyNoPublic } from "../../../policies/rules/sns/sns-topic-policy-no-public";
import { tagsProviderDefault } from "../../../policies/rules/tags/tags-provider-default";
import {
  auroraCluster,
  kmsKey,
  logGroup,
  policyDocument,
  replicationGroup,
  variable,
  vpc,
} from "../support/aws";
import { compliant, fails, notApplicable, unreadable, type RuleCase } from "../support/cases";
import { ref } from "../support/synth";

function repository(
  scope: Construct,
  overrides: Partial<EcrRepositoryConfig> = {},
  lifecycle = true,
) {
  const key = kmsKey(scope, "registry-key");
  const repo = new EcrRepository(scope, "repository", {
    name: "search",
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: key.arn }],
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
  if (lifecycle) {
    new EcrLifecyclePolicy(scope, "repository-lifecycle", {
      repository: repo.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            selection: {
              tagStatus: "untagged",
              countType: "sinceImagePushed",
              countUnit: "days",
              countNumber: 7,
            },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }
  return repo;
}

function alarm(scope: Construct, overrides: Partial<CloudwatchMetricAlarmConfig> = {}) {
  const topic = new SnsTopic(scope, "alarms", { kmsMasterKeyId: kmsKey(scope, "alarms-key").arn });
  return new CloudwatchMetricAlarm(scope, "cpu", {
    alarmName: "aurora-cpu",
    comparisonOperator: "GreaterThanThreshold",
    evaluationPeriods: 3,
    metricName: "CPUUtilization",
    namespace: "AWS/RDS",
    period: 60,
    statistic: "Average",
    threshold: 80,
    alarmActions: [topic.arn],
    ...overrides,
  });
}

const TAGS = {
  environment: "prod",
  service: "search",
  owner: "search-platform",
  "compliance-preset": "hipaa",
};
const provider = (scope: Construct, tags: Record<string, string>) =>
  new AwsProvider(scope, "aws", { region: "eu-west-1", defaultTags: [{ tags }] });

export const platformCases: RuleCase[] = [
  // log-group-retention-set
  {
    rule: logGroupRetentionSet,
    name: "passes a retention CloudWatch accepts",
    build: (s) => logGroup(s, "app"),
    expect: compliant,
  },
  {
    rule: logGroupRetentionSet,
    name: "fails a group kept forever",
    build: (s) => logGroup(s, "app", { retentionInDays: undefined }),
    expect: fails(/`retention_in_days` is not set: events are kept forever/),
  },
  {
    rule: logGroupRetentionSet,
    name: "fails a retention CloudWatch rejects",
    build: (s) => logGroup(s, "app", { retentionInDays: 2555 }),
    expect: fails(/`retention_in_days` is 2555, which CloudWatch rejects/),
  },
  {
    rule: logGroupRetentionSet,
    name: "fails closed when the retention comes from a variable",
    build: (s) =>
      logGroup(s, "app", { retentionInDays: variable(s, "days", "number").numberValue }),
    expect: unreadable(/\$\{var\.days\}/),
  },

  // log-group-audit-retention
  {
    rule: logGroupAuditRetention,
    name: "passes an audit group (by tag) kept 7 years under HIPAA",
    build: (s) => logGroup(s, "events", { retentionInDays: 2557, tags: { "log-class": "audit" } }),
    expect: compliant,
  },
  {
    rule: logGroupAuditRetention,
    name: "fails an audit group (by name) kept one year under HIPAA",
    build: (s) => logGroup(s, "audit", { retentionInDays: 365 }),
    expect: fails(/audit log group keeps events 365 days; the "hipaa" preset needs at least 2555/),
  },
  {
    rule: logGroupAuditRetention,
    name: "passes the same group under the none preset's 730 days with 731",
    stage: "dev",
    build: (s) => logGroup(s, "audit", { retentionInDays: 731 }),
    expect: compliant,
  },
  {
    rule: logGroupAuditRetention,
    name: "judges a group whose name cannot be read as an audit group, and fails it closed",
    build: (s) =>
      logGroup(s, "named", {
        name: variable(s, "group_name").stringValue,
        retentionInDays: variable(s, "days", "number").numberValue,
      }),
    expect: unreadable(/`retention_in_days` is \$\{var\.days\}/),
  },
  {
    rule: logGroupAuditRetention,
    name: "does not apply to groups without audit data",
    build: (s) => logGroup(s, "app"),
    expect: notApplicable,
  },

  // log-group-kms
  {
    rule: logGroupKms,
    name: "passes a group under a customer key",
    build: (s) => logGroup(s, "app"),
    expect: compliant,
  },
  {
    rule: logGroupKms,
    name: "fails a group without a key",
    build: (s) => logGroup(s, "app", { kmsKeyId: undefined }),
    expect: fails(
      /`kms_key_id` is not set \(CloudWatch then encrypts with a key the account does not control\)/,
    ),
  },
  {
    rule: logGroupKms,
    name: "fails closed when the key comes from a variable (cross-stack keys: see the engine tests)",
    build: (s) => logGroup(s, "app", { kmsKeyId: variable(s, "key").stringValue }),
    expect: unreadable(/`kms_key_id` is \$\{var\.key\}, which cannot be read at synth time/),
  },

  // log-group-security-retention
  {
    rule: logGroupSecurityRetention,
    name: "passes a flow log group kept a year",
    build: (s) => {
      const group = logGroup(s, "flow", { retentionInDays: 365 });
      new FlowLog(s, "flow-log", {
        vpcId: vpc(s).id,
        trafficType: "ALL",
        logDestination: group.arn,
      });
    },
    expect: compliant,
  },
  {
    rule: logGroupSecurityRetention,
    name: "fails a flow log group kept a month",
    build: (s) => {
      const group = logGroup(s, "flow", { retentionInDays: 30 });
      new FlowLog(s, "flow-log", {
        vpcId: vpc(s).id,
        trafficType: "ALL",
        logDestination: group.arn,
      });
    },
    expect: fails(/security log group keeps events 30 days; at least 365 are needed/),
  },
  {
    rule: logGroupSecurityRetention,
    name: "fails closed on an EKS control-plane group whose retention comes from a variable",
    build: (s) =>
      logGroup(s, "eks", {
        name: "/aws/eks/search/cluster",
        retentionInDays: variable(s, "days", "number").numberValue,
      }),
    expect: unreadable(/\$\{var\.days\}/),
  },

  // alarm-has-actions
  {
    rule: alarmHasActions,
    name: "passes an alarm that notifies a topic",
    build: (s) => alarm(s),
    expect: compliant,
  },
  {
    rule: alarmHasActions,
    name: "fails an alarm with no actions",
    build: (s) => alarm(s, { alarmActions: [] }),
    expect: fails(/`alarm_actions` is empty: the alarm fires silently/),
  },
  {
    rule: alarmHasActions,
    name: "fails an alarm whose actions are disabled",
    build: (s) => alarm(s, { actionsEnabled: false }),
    expect: fails(/`actions_enabled` is false/),
  },
  {
    rule: alarmHasActions,
    name: "fails closed when the actions come from a variable",
    build: (s) => alarm(s, { alarmActions: variable(s, "actions", "list(string)").listValue }),
    expect: unreadable(/`alarm_actions` is \$\{var\.actions\}/),
  },

  // sns-topic-encrypted
  {
    rule: snsTopicEncrypted,
    name: "passes a topic under a customer key",
    build: (s) => new SnsTopic(s, "topic", { kmsMasterKeyId: kmsKey(s).arn }),
    expect: compliant,
  },
  {
    rule: snsTopicEncrypted,
    name: "fails a topic under the AWS managed key",
    build: (s) => new SnsTopic(s, "topic", { kmsMasterKeyId: "alias/aws/sns" }),
    expect: fails(/`kms_master_key_id` is the AWS managed key "alias\/aws\/sns"/),
  },
  {
    rule: snsTopicEncrypted,
    name: "fails closed when the key comes from a variable",
    build: (s) => new SnsTopic(s, "topic", { kmsMasterKeyId: variable(s, "key").stringValue }),
    expect: unreadable(/\$\{var\.key\}/),
  },

  // sns-topic-policy-no-public
  {
    rule: snsTopicPolicyNoPublic,
    name: "passes CloudWatch publishing from this account",
    build: (s) => {
      const topic = new SnsTopic(s, "topic", { kmsMasterKeyId: kmsKey(s).arn });
      new SnsTopicPolicy(s, "policy", {
        arn: topic.arn,
        policy: policyDocument(s, "publish", [
          {
            actions: ["sns:Publish"],
            resources: [topic.arn],
            principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
            condition: [
              { test: "StringEquals", variable: "aws:SourceAccount", values: ["111122223333"] },
            ],
          },
        ]).json,
      });
    },
    expect: compliant,
  },
  {
    rule: snsTopicPolicyNoPublic,
    name: "fails a topic anyone may publish to",
    build: (s) => {
      const topic = new SnsTopic(s, "topic");
      new SnsTopicPolicy(s, "policy", {
        arn: topic.arn,
        policy: policyDocument(s, "publish", [
          {
            actions: ["sns:Publish"],
            resources: [topic.arn],
            principals: [{ type: "AWS", identifiers: ["*"] }],
          },
        ]).json,
      });
    },
    expect: fails(/statement 1 lets any principal sns:Publish with no condition on who/),
  },
  {
    rule: snsTopicPolicyNoPublic,
    name: "fails closed when the policy comes from a variable",
    build: (s) =>
      new SnsTopicPolicy(s, "policy", {
        arn: "arn:aws:sns:eu-west-1:111122223333:t",
        policy: variable(s, "p").stringValue,
      }),
    expect: unreadable(/`policy` is \$\{var\.p\}/),
  },

  // ecr-immutable-tags
  {
    rule: ecrImmutableTags,
    name: "passes immutable tags",
    build: (s) => repository(s),
    expect: compliant,
  },
  {
    rule: ecrImmutableTags,
    name: "fails mutable tags (the default)",
    build: (s) => repository(s, { imageTagMutability: undefined }),
    expect: fails(/`image_tag_mutability` is "MUTABLE"/),
  },
  {
    rule: ecrImmutableTags,
    name: "fails closed when mutability comes from a variable",
    build: (s) => repository(s, { imageTagMutability: variable(s, "mutability").stringValue }),
    expect: unreadable(/\$\{var\.mutability\}/),
  },

  // ecr-scan-on-push
  {
    rule: ecrScanOnPush,
    name: "passes scan on push",
    build: (s) => repository(s),
    expect: compliant,
  },
  {
    rule: ecrScanOnPush,
    name: "fails without scanning",
    build: (s) => repository(s, { imageScanningConfiguration: undefined }),
    expect: fails(/`image_scanning_configuration\.scan_on_push` is false or not set/),
  },
  {
    rule: ecrScanOnPush,
    name: "fails closed when scanning comes from a variable",
    build: (s) =>
      repository(s, {
        imageScanningConfiguration: { scanOnPush: variable(s, "scan", "bool").booleanValue },
      }),
    expect: unreadable(/\$\{var\.scan\}/),
  },

  // ecr-kms-encryption
  {
    rule: ecrKmsEncryption,
    name: "passes images under a customer key",
    build: (s) => repository(s),
    expect: compliant,
  },
  {
    rule: ecrKmsEncryption,
    name: "fails the default AES-256 encryption",
    build: (s) => repository(s, { encryptionConfiguration: undefined }),
    expect: fails(/`encryption_configuration` is not set: ECR uses AES-256 with AWS-owned keys/),
  },
  {
    rule: ecrKmsEncryption,
    name: "fails KMS without a key (the AWS managed aws/ecr key)",
    build: (s) => repository(s, { encryptionConfiguration: [{ encryptionType: "KMS" }] }),
    expect: fails(/`kms_key` is not set \(ECR then uses the AWS managed aws\/ecr key\)/),
  },
  {
    rule: ecrKmsEncryption,
    name: "fails closed when the key comes from a variable",
    build: (s) =>
      repository(s, {
        encryptionConfiguration: [
          { encryptionType: "KMS", kmsKey: variable(s, "key").stringValue },
        ],
      }),
    expect: unreadable(/`kms_key` is \$\{var\.key\}/),
  },

  // ecr-lifecycle-policy
  {
    rule: ecrLifecyclePolicy,
    name: "passes a repository with a lifecycle policy (by name)",
    build: (s) => repository(s),
    expect: compliant,
  },
  {
    rule: ecrLifecyclePolicy,
    name: "fails a repository without one",
    build: (s) => repository(s, {}, false),
    expect: fails(/no `aws_ecr_lifecycle_policy` refers to this repository/),
  },

  // ecr-no-force-delete
  {
    rule: ecrNoForceDelete,
    name: "passes a repository that keeps its images",
    build: (s) => repository(s),
    expect: compliant,
  },
  {
    rule: ecrNoForceDelete,
    name: "fails force_delete",
    build: (s) => repository(s, { forceDelete: true }),
    expect: fails(/`force_delete` is true: a destroy deletes every image/),
  },
  {
    rule: ecrNoForceDelete,
    name: "fails closed when it comes from a variable",
    build: (s) => repository(s, { forceDelete: variable(s, "force", "bool").booleanValue }),
    expect: unreadable(/\$\{var\.force\}/),
  },

  // stateful-prevent-destroy
  {
    rule: statefulPreventDestroy,
    name: "passes stateful resources that refuse destruction in prod",
    build: (s) => {
      auroraCluster(s);
      replicationGroup(s);
      repository(s);
    },
    expect: compliant,
  },
  {
    rule: statefulPreventDestroy,
    name: "fails a database cluster without prevent_destroy in prod",
    build: (s) => auroraCluster(s, { lifecycle: {} }),
    expect: fails(/`lifecycle\.prevent_destroy` is not true/),
  },
  {
    rule: statefulPreventDestroy,
    name: "fails closed when prevent_destroy is an expression",
    build: (s) => auroraCluster(s).addOverride("lifecycle.prevent_destroy", ref("var.protect")),
    expect: unreadable(/`lifecycle\.prevent_destroy` is \$\{var\.protect\}/),
  },
  {
    rule: statefulPreventDestroy,
    name: "does not apply outside prod",
    stage: "dev",
    build: (s) => auroraCluster(s, { lifecycle: {} }),
    expect: notApplicable,
  },

  // tags-provider-default
  {
    rule: tagsProviderDefault,
    name: "passes the four tags with the environment's values",
    build: (s) => provider(s, TAGS),
    expect: compliant,
  },
  {
    rule: tagsProviderDefault,
    name: "fails a provider without owner and compliance-preset",
    build: (s) => provider(s, { environment: "prod", service: "search" }),
    expect: fails(/`default_tags` lacks owner, compliance-preset/),
  },
  {
    rule: tagsProviderDefault,
    name: "fails a preset tag that disagrees with the environment",
    build: (s) => provider(s, { ...TAGS, "compliance-preset": "none" }),
    expect: fails(/tag "compliance-preset" is "none", but the environment's is "hipaa"/),
  },
  {
    rule: tagsProviderDefault,
    name: "fails closed when a tag's value comes from a variable",
    build: (s) => provider(s, { ...TAGS, owner: variable(s, "owner").stringValue }),
    expect: unreadable(/tag "owner": `\["owner"\]` is \$\{var\.owner\}/),
  },

  // secrets-no-literal-credentials
  {
    rule: secretsNoLiteralCredentials,
    name: "passes a stack with a managed password",
    build: (s) => auroraCluster(s),
    expect: compliant,
  },
  {
    rule: secretsNoLiteralCredentials,
    name: "fails a literal master password, without printing it",
    build: (s) =>
      auroraCluster(s, { manageMasterUserPassword: undefined, masterPassword: "hunter2-hunter2" }),
    expect: fails(/^`master_password` holds a literal credential$/),
  },
  {
    rule: secretsNoLiteralCredentials,
    name: "fails literal credentials in the backend configuration",
    build: (s) =>
      new S3Backend(s, {
        bucket: "state",
        key: "k",
        region: "eu-west-1",
        accessKey: "not-a-real-key",
        secretKey: "not-a-real-secret",
      }),
    expect: fails(
      /^`s3\.access_key` holds a literal credential; `s3\.secret_key` holds a literal credential$/,
    ),
  },
  {
    rule: secretsNoLiteralCredentials,
    name: "fails a literal secret variable default",
    build: (s) =>
      new TerraformVariable(s, "db_password", { type: "string", default: "changeme-please" }),
    expect: fails(/`default` is a literal default for a secret/),
  },

  // secrets-no-aws-access-keys
  {
    rule: secretsNoAwsAccessKeys,
    name: "passes a stack without access keys",
    build: (s) => logGroup(s, "app"),
    expect: compliant,
  },
  {
    rule: secretsNoAwsAccessKeys,
    name: "fails an access key id in a provider block",
    build: (s) =>
      new AwsProvider(s, "aws", { region: "eu-west-1", accessKey: "AKIAIOSFODNN7EXAMPLE" }),
    expect: fails(/`access_key` contains an AWS access key id/),
  },

  // secrets-no-private-keys
  {
    rule: secretsNoPrivateKeys,
    name: "passes a stack without private keys",
    build: (s) => logGroup(s, "app"),
    expect: compliant,
  },
  {
    rule: secretsNoPrivateKeys,
    name: "fails a PEM private key in a resource",
    build: (s) =>
      logGroup(s, "app", {
        tags: { note: "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----" },
      }),
    expect: fails(/`tags\.note` contains a private key/),
  },
  {
    rule: secretsNoPrivateKeys,
    name: "fails a base64-encoded PEM private key",
    build: (s) =>
      logGroup(s, "app", {
        tags: { blob: Buffer.from("-----BEGIN PRIVATE KEY-----\nMIIE\n").toString("base64") },
      }),
    expect: fails(/`tags\.blob` contains a private key/),
  },
];
