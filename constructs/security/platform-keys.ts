import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import type { KeyReference } from "../core";
import { fromCloudWatchAlarmsOf, isKnown, resourceName, validateProps } from "../core";

/** One of the platform's keys. */
export interface PlatformKey extends KeyReference {
  /** `alias/<namePrefix>/<purpose>`. */
  readonly aliasName: string;
}

/** What each key of `PlatformKeys` protects. */
export type PlatformKeyPurpose =
  | "clusterSecrets"
  | "nodeVolumes"
  | "database"
  | "cache"
  | "logs"
  | "alarms"
  | "registry"
  | "auditHmac";

export interface PlatformKeysProps {
  /**
   * Aliases are `alias/<namePrefix>/<purpose>`, e.g. `alias/search-prod/database`.
   * @default - the construct's path (`resourceName`), e.g. "search-prod-infra-keys"
   */
  readonly namePrefix?: string;
  /**
   * Set `lifecycle.prevent_destroy` on every key: Terraform then refuses any plan that would
   * destroy one. Data encrypted under a deleted key is gone for good; set false only for
   * disposable environments.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /**
   * Waiting period between scheduling a key's deletion and its deletion, 7-30 days; the key
   * can be restored until then.
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * Create the EC2 Auto Scaling service-linked role `AWSServiceRoleForAutoScaling`, which the
   * `nodeVolumes` key policy names. KMS rejects a key policy naming a role that does not exist,
   * and AWS creates this role only with an account's first Auto Scaling group: set true in an
   * account that has never had one. Leave false where it exists (creating it again fails).
   * @default false
   * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
   */
  readonly createAutoScalingServiceLinkedRole?: boolean;
}

/** Key policy pieces that differ between purposes. */
interface KeyProfile {
  readonly aliasSuffix: string;
  readonly description: string;
  /** Services through which principals of the account may use the key (`kms:ViaService`). */
  readonly viaServices: readonly string[];
  /**
   * An HMAC key (HMAC_256, GENERATE_VERIFY_MAC) rather than a symmetric encryption key. AWS
   * rotates neither automatically nor on demand: rotation is a new key (see `auditHmac`).
   */
  readonly hmac?: boolean;
}

const PROFILES: Record<PlatformKeyPurpose, KeyProfile> = {
  clusterSecrets: {
    aliasSuffix: "cluster-secrets",
    description: "EKS envelope encryption of Kubernetes secrets",
    viaServices: ["eks"],
  },
  nodeVolumes: {
    aliasSuffix: "node-volumes",
    description: "EBS volumes of the EKS nodes and of persistent volumes",
    viaServices: ["ec2"],
  },
  database: {
    aliasSuffix: "database",
    description: "Aurora storage, snapshots, Performance Insights and the master user secret",
    viaServices: ["rds", "secretsmanager"],
  },
  cache: {
    aliasSuffix: "cache",
    description: "ElastiCache data at rest and snapshots",
    viaServices: ["elasticache"],
  },
  logs: {
    aliasSuffix: "logs",
    description: "CloudWatch Logs log groups",
    viaServices: [],
  },
  alarms: {
    aliasSuffix: "alarms",
    description: "SNS topic of the alarms",
    viaServices: ["sns"],
  },
  registry: {
    aliasSuffix: "registry",
    description: "ECR repositories",
    viaServices: ["ecr"],
  },
  auditHmac: {
    aliasSuffix: "audit-hmac",
    description: "HMAC key the search service derives its audit trail's key from (GenerateMac)",
    viaServices: [],
    hmac: true,
  },
};

/**
 * Administration only: no Encrypt/Decrypt, and no CreateGrant (which would let an
 * administrator grant itself use). `PutKeyPolicy` keeps the key manageable whatever happens.
 */
const ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListAliases",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RetireGrant",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];
const USE_ACTIONS = [
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:Encrypt",
  "kms:GenerateDataKey*",
  "kms:ReEncrypt*",
];
const GRANT_ACTIONS = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"];

/**
 * The platform's customer-managed KMS keys, one per purpose so that each key policy admits only
 * the services that need it: a principal allowed to decrypt database snapshots learns nothing
 * about the logs, and the reverse.
 *
 * Every key but `auditHmac`: symmetric, yearly automatic rotation, a 30-day deletion window,
 * an alias `alias/<namePrefix>/<purpose>`, and a key policy that
 *
 * - gives the account (`:root`, i.e. IAM policies of the account) administration but not use,
 *   so the key can never become unmanageable;
 * - lets principals of the account use it only through the services of its purpose
 *   (`kms:ViaService`, `kms:CallerAccount`), and create grants only for AWS resources
 *   (`kms:GrantIsForAWSResource`), which is how RDS, ElastiCache, ECR, EKS and EC2 hold on
 *   to a key;
 * - admits the service principals that act on their own: CloudWatch Logs for log groups of
 *   this account (`kms:EncryptionContext:aws:logs:arn`), CloudWatch alarms of this account
 *   publishing to the encrypted alarm topic, and the Auto Scaling service-linked role launching
 *   nodes with encrypted root volumes.
 *
 * Node root volumes get their own key (`nodeVolumes`) rather than sharing `clusterSecrets`:
 * the Auto Scaling role it must admit then never reaches Kubernetes secrets.
 *
 * `auditHmac` is an HMAC key (HMAC_256, GENERATE_VERIFY_MAC): the search service derives its
 * audit trail's HMAC key from it with `kms:GenerateMac` at start-up, so that key is in no
 * secret store. Its policy gives the account administration, and `kms:GenerateMac` /
 * `kms:VerifyMac` to principals of this account whose IAM policies allow them (no service
 * uses it on its own). AWS cannot rotate HMAC keys: rotating means a new key, with the old one
 * kept for verification (README, "Rotating the audit key").
 *
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export class PlatformKeys extends Construct {
  /** EKS envelope encryption of Kubernetes secrets. */
  public readonly clusterSecrets: PlatformKey;
  /** Root volumes of the EKS nodes; also for the EBS CSI driver's persistent volumes. */
  public readonly nodeVolumes: PlatformKey;
  /** Aurora PostgreSQL (storage, snapshots, Performance Insights, master user secret). */
  public readonly database: PlatformKey;
  /** ElastiCache Redis at rest. */
  public readonly cache: PlatformKey;
  /** CloudWatch log groups (flow logs, EKS control plane, Aurora, Redis, the service). */
  public readonly logs: PlatformKey;
  /** The SNS topic alarms publish to. */
  public readonly alarms: PlatformKey;
  /** ECR repositories. */
  public readonly registry: PlatformKey;
  /**
   * HMAC_256 key the search service derives its audit key from (`kms:GenerateMac`); not
   * rotated by AWS.
   */
  public readonly auditHmac: PlatformKey;

  constructor(scope: Construct, id: string, props: PlatformKeysProps = {}) {
    super(scope, id);
    const namePrefix = props.namePrefix ?? resourceName(this, undefined);
    const preventDestroy = props.preventDestroy ?? true;
    const deletionWindowInDays = props.deletionWindowInDays ?? 30;
    const createAutoScalingServiceLinkedRole = props.createAutoScalingServiceLinkedRole ?? false;

    validateProps("PlatformKeys", [
      {
        violated:
          isKnown(deletionWindowInDays) &&
          (!Number.isInteger(deletionWindowInDays) ||
            deletionWindowInDays < 7 ||
            deletionWindowInDays > 30),
        message: `\`deletionWindowInDays\` must be a whole number from 7 to 30, got ${deletionWindowInDays}`,
      },
      {
        violated:
          isKnown(namePrefix) &&
          (!/^[A-Za-z0-9_-]{1,200}$/.test(namePrefix) || namePrefix.toLowerCase() === "aws"),
        message: `\`namePrefix\` must be 1-200 letters, digits, "_" or "-", and not "aws" (alias/aws/ is reserved for AWS managed keys), got "${namePrefix}"`,
      },
    ]);

    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const region = new DataAwsRegion(this, "region");
    const root = `arn:${partition.partition}:iam::${account.accountId}:root`;
    const viaService = (service: string) => `${service}.${region.region}.${partition.dnsSuffix}`;

    const autoScalingRoleArn = createAutoScalingServiceLinkedRole
      ? new IamServiceLinkedRole(this, "autoscaling-service-linked-role", {
          awsServiceName: "autoscaling.amazonaws.com",
        }).arn
      : `arn:${partition.partition}:iam::${account.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;

    /**
     * Statements only some purposes have: service principals acting on their own behalf, and
     * the account's principals computing MACs with the HMAC key.
     */
    const serviceStatements: Partial<
      Record<PlatformKeyPurpose, DataAwsIamPolicyDocumentStatement[]>
    > = {
      logs: [
        {
          sid: "CloudWatchLogsForLogGroupsOfThisAccount",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: [viaService("logs")] }],
          actions: [
            "kms:Decrypt*",
            "kms:Describe*",
            "kms:Encrypt*",
            "kms:GenerateDataKey*",
            "kms:ReEncrypt*",
          ],
          resources: ["*"],
          condition: [
            {
              test: "ArnLike",
              variable: "kms:EncryptionContext:aws:logs:arn",
              values: [
                `arn:${partition.partition}:logs:${region.region}:${account.accountId}:log-group:*`,
              ],
            },
          ],
        },
      ],
      alarms: [
        {
          // Without it, alarms on an encrypted topic deploy cleanly and deliver nothing.
          sid: "CloudWatchAlarmsOfThisAccountPublish",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          condition: fromCloudWatchAlarmsOf({
            accountId: account.accountId,
            partition: partition.partition,
            region: region.region,
          }),
        },
      ],
      auditHmac: [
        {
          // Delegated to IAM: a principal of this account may compute or check MACs only
          // when its own IAM policy allows it on this key (the search service's role does).
          sid: "PrincipalsOfThisAccountAllowedByIamUseMacs",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [root] }],
          actions: ["kms:GenerateMac", "kms:VerifyMac"],
          resources: ["*"],
          condition: [
            { test: "StringEquals", variable: "kms:CallerAccount", values: [account.accountId] },
          ],
        },
      ],
      nodeVolumes: [
        {
          // Managed node groups launch through Auto Scaling, which uses this role and only the
          // key policy (its IAM policy cannot be changed): without it, nodes fail to launch.
          sid: "AutoScalingLaunchesEncryptedVolumes",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [autoScalingRoleArn] }],
          actions: USE_ACTIONS,
          resources: ["*"],
        },
        {
          sid: "AutoScalingGrantsForVolumes",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [autoScalingRoleArn] }],
          actions: ["kms:CreateGrant"],
          resources: ["*"],
          condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
        },
      ],
    };

    const makeKey = (purpose: PlatformKeyPurpose): PlatformKey => {
      const profile = PROFILES[purpose];
      const services = profile.viaServices.map(viaService);
      const throughServices = [
        { test: "StringEquals", variable: "kms:ViaService", values: services },
        { test: "StringEquals", variable: "kms:CallerAccount", values: [account.accountId] },
      ];
      const statement: DataAwsIamPolicyDocumentStatement[] = [
        {
          sid: "AccountAdministersTheKey",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [root] }],
          actions: ADMIN_ACTIONS,
          resources: ["*"],
        },
        ...(services.length === 0
          ? []
          : [
              {
                sid: "AccountUsesTheKeyThroughServices",
                effect: "Allow",
                principals: [{ type: "AWS", identifiers: [root] }],
                actions: USE_ACTIONS,
                resources: ["*"],
                condition: throughServices,
              },
              {
                sid: "ServicesHoldGrantsForAwsResources",
                effect: "Allow",
                principals: [{ type: "AWS", identifiers: [root] }],
                actions: GRANT_ACTIONS,
                resources: ["*"],
                condition: [
                  ...throughServices,
                  { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] },
                ],
              },
            ]),
        ...(serviceStatements[purpose] ?? []),
      ];
      const policy = new DataAwsIamPolicyDocument(this, `${profile.aliasSuffix}-key-policy`, {
        statement,
      });
      const key = new KmsKey(this, profile.aliasSuffix, {
        description: `${namePrefix}: ${profile.description}`,
        keyUsage: profile.hmac ? "GENERATE_VERIFY_MAC" : "ENCRYPT_DECRYPT",
        customerMasterKeySpec: profile.hmac ? "HMAC_256" : "SYMMETRIC_DEFAULT",
        // KMS refuses automatic rotation of an HMAC key.
        enableKeyRotation: !profile.hmac,
        deletionWindowInDays,
        policy: policy.json,
        tags: { Name: `${namePrefix}-${profile.aliasSuffix}`, purpose: profile.aliasSuffix },
        lifecycle: { preventDestroy },
      });
      const alias = new KmsAlias(this, `${profile.aliasSuffix}-alias`, {
        name: `alias/${namePrefix}/${profile.aliasSuffix}`,
        targetKeyId: key.keyId,
      });
      return { arn: key.arn, keyId: key.keyId, aliasName: alias.name };
    };

    this.clusterSecrets = makeKey("clusterSecrets");
    this.nodeVolumes = makeKey("nodeVolumes");
    this.database = makeKey("database");
    this.cache = makeKey("cache");
    this.logs = makeKey("logs");
    this.alarms = makeKey("alarms");
    this.registry = makeKey("registry");
    this.auditHmac = makeKey("auditHmac");
  }
}
