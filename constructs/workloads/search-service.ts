import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsSubnet } from "@cdktf/provider-aws/lib/data-aws-subnet";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { CronJobV1 } from "@cdktf/provider-kubernetes/lib/cron-job-v1";
import {
  DeploymentV1,
  type DeploymentV1SpecTemplateSpecContainer,
  type DeploymentV1SpecTemplateSpecContainerEnv,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { IngressV1 } from "@cdktf/provider-kubernetes/lib/ingress-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import type { ServiceSettings } from "@search-platform/service/settings";
import { type ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { createHash } from "node:crypto";
import { PodIdentityRole } from "../compute/pod-identity-role";
import {
  type DatabaseEndpoints,
  isKnown,
  type KeyReference,
  resourceName,
  validateProps,
} from "../core";
import type { ContainerLogSource } from "./audit-log-shipper";
import { ManifestsRelease } from "./manifests-release";
import { migrationSettingsOf } from "./migration-settings";
import { terminationTimeline } from "./termination";

/** The LOGIN role the service's migrations create (without BYPASSRLS, granted rds_iam). */

/** How long a pod stays in the endpoints while /health/ready fails (an Aurora failover's span, twice). */
const READINESS_TOLERANCE_SECONDS = 60;
export const SERVICE_DATABASE_USER = "search_app";
/** The service image's user (service/Dockerfile). */
export const SERVICE_UID = 10001;

/** The Deployment's name and its container's. */
const SERVER_NAME = "search";
const SETTINGS_DIR = "/etc/search";
const SETTINGS_FILE = "settings.json";
const MIGRATION_SETTINGS_FILE = "migration-settings.json";
const OWNER_SECRET = "search-database-owner";
/** The ALB action that answers GET /metrics with 404 (an annotation, not a Service). */
const METRICS_NOT_PUBLIC = "metrics-not-public";
/** EKS Pod Identity agent: a link-local address on every node, port 80. */
const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";

/** Where the service's ALB lives and what it does. */
export interface SearchServiceIngressOptions {
  /**
   * Subnets the ALB is placed in: the public subnets for "internet-facing", private ones for
   * "internal". Their CIDR blocks are the only sources the NetworkPolicy admits to the pods.
   */
  readonly subnetIds: readonly string[];
  /**
   * "internal": reachable from inside the VPC only.
   * @default "internal"
   */
  readonly scheme?: "internal" | "internet-facing";
  /**
   * ACM certificate: HTTPS on 443, HTTP redirected to it. Required when internet-facing.
   * @default - plain HTTP on port 80
   */
  readonly certificateArn?: string;
  /**
   * Host name routed to the service.
   * @default - every host
   */
  readonly host?: string;
  /**
   * TLS policy of the HTTPS listener (TLS 1.3, and 1.2 with AEAD ciphers only).
   * @default "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
   */
  readonly sslPolicy?: string;
  /**
   * The ALB's idle timeout; the service's keep-alive must be longer.
   * @default 60
   */
  readonly idleTimeoutSeconds?: number;
  /**
   * Who may reach the ALB.
   * @default - anywhere when internet-facing, `vpcCidr` when internal
   */
  readonly allowedCidrs?: readonly string[];
  /**
   * Refuse to delete the ALB. To remove the Ingress later, apply with this off first: the
   * controller cannot delete a protected load balancer and the Ingress waits on it.
   * @default false
   */
  readonly deletionProtection?: boolean;
}

export interface SearchServiceProps {
  /**
   * The settings the service runs with, already validated by its schema (see
   * `deriveServiceSettings`). Rendered into the ConfigMap; the server's port, drain time and
   * keep-alive shape the pods, probes and ALB.
   */
  readonly settings: ServiceSettings;
  /** The ECR repository URL and an immutable tag or a digest (`sha256:...`). */
  readonly image: { readonly repositoryUrl: string; readonly tag: string };
  /** The EKS cluster's name (Pod Identity associations). */
  readonly clusterName: string;
  readonly region: string;
  /** The VPC's CIDR block: the data stores' ports are admitted only inside it. */
  readonly vpcCidr: string;
  /**
   * Aurora PostgreSQL: endpoints, and what IAM authentication and the migration need (the
   * master secret goes to the migration Job and the maintenance CronJob only).
   */
  readonly database: DatabaseEndpoints;
  /** ElastiCache Redis: the endpoint clients connect to, and what `elasticache:Connect` names. */
  readonly cache: {
    readonly endpoint: string;
    readonly port: number;
    readonly replicationGroupId: string;
  };
  readonly ingress: SearchServiceIngressOptions;
  /** The audit trail's log group: KMS-encrypted, kept as long as the settings keep audits. */
  readonly auditLog: { readonly logGroupName: string; readonly logsKey: KeyReference };
  /**
   * The KMS HMAC key (HMAC_256) the service derives its audit trail's key from at start-up
   * (`kms:GenerateMac`, AUDIT_HMAC_KMS_KEY_ID): no audit key in any secret store or in state.
   * The service's role may call GenerateMac on this key (and `previousAuditKeys`) only.
   */
  readonly auditKey: KeyReference;
  /**
   * HMAC keys used before a rotation (AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS): the keys derived from
   * them verify the checkpoints they signed, and sign nothing. Keep one until the last
   * checkpoint it signed is past the audit retention.
   * @default - none
   */
  readonly previousAuditKeys?: readonly KeyReference[];
  /**
   * When the audit maintenance CronJob runs (`admin.js audit-maintenance`: creates the audit
   * partitions ahead, drops those past the retention), a cron expression in UTC.
   * @default "17 3 * * *" (daily, 03:17 UTC: off the hour, away from other hourly work)
   */
  readonly auditMaintenanceSchedule?: string;
  /** HPA bounds. */
  readonly replicas: { readonly min: number; readonly max: number };
  /**
   * Requests and limits of every container. The memory limit sizes Node's heap (75%).
   */
  readonly resources: {
    readonly cpuRequest: string;
    /** @default - no CPU limit (throttling a Node process hurts latency more than it saves) */
    readonly cpuLimit?: string;
    readonly memoryRequest: string;
    readonly memoryLimit: string;
  };
  /**
   * HPA targets, percent of the requests.
   * @default { targetCpuPercent: 70, targetMemoryPercent: 80 } (REFERENCE.md)
   */
  readonly autoscaling?: {
    readonly targetCpuPercent?: number;
    readonly targetMemoryPercent?: number;
  };
  /**
   * Pods a rolling update may add beyond the current count (no pod is removed before its
   * replacement is ready: maxUnavailable is 0).
   * @default - a quarter of replicas.max, at least 1
   */
  readonly maxSurge?: number;
  /**
   * Seconds the preStop hook sleeps before SIGTERM, so that the ALB stops sending requests
   * before the service stops accepting them.
   * @default 15
   */
  readonly preStopDelaySeconds?: number;
  /**
   * The preStop command; the image must provide it.
   * @default ["sleep", "<preStopDelaySeconds>"]
   */
  readonly preStopCommand?: readonly string[];
  /**
   * The Kubernetes namespace, created here with the `restricted` Pod Security Standard.
   * @default "search"
   */
  readonly namespace?: string;
  /**
   * The collector that scrapes GET /metrics: admitted to the pods' port.
   * @default - no scraper admitted
   */
  readonly metricsScraper?: {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
  };
  /**
   * The Amazon RDS CA bundle inside the image (Aurora's certificates are not in Node's store;
   * `verify-full` needs it).
   * @default "/app/certs/rds-global-bundle.pem"
   */
  readonly postgresCaBundlePath?: string;
  /**
   * Prefix of AWS names (IAM role, ALB), unique per account and region.
   * @default - the construct's path below its stack
   */
  readonly namePrefix?: string;
  /**
   * What must run first: the cluster add-ons (the load balancer controller's webhooks, the
   * secrets operator's CRDs).
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The search service on EKS: namespace, service account with an IAM role through EKS Pod
 * Identity (IAM auth to Aurora and ElastiCache, GenerateMac on the audit HMAC key, nothing
 * else), settings ConfigMap, migration Job, hardened Deployment, Service, HPA,
 * PodDisruptionBudget, NetworkPolicy, ALB Ingress, the audit trail's log group and the daily
 * audit maintenance CronJob.
 *
 * No secret reaches Terraform: the service signs IAM tokens and derives its audit key through
 * KMS; the migration Job's and the CronJob's owner password is synced in the cluster by the
 * External Secrets Operator from the RDS-managed secret. Order on deploy: ConfigMap and owner
 * secret → migration Job (waited for) → Deployment (waited for) and CronJob → Ingress.
 */
export class SearchService extends Construct {
  public readonly namespace: string;
  public readonly serviceAccountName: string;
  public readonly roleArn: string;
  public readonly deployment: DeploymentV1;
  public readonly migrationJob: JobV1;
  /** Daily `admin.js audit-maintenance` as the database owner. */
  public readonly auditMaintenance: CronJobV1;
  public readonly ingress: IngressV1;
  /** sha256 of the settings file; the pod template carries it, so a change rolls the pods. */
  public readonly settingsChecksum: string;
  public readonly terminationGracePeriodSeconds: number;
  /** The target group's deregistration delay (seconds). */
  public readonly deregistrationDelaySeconds: number;
  public readonly auditLogGroupName: string;
  public readonly auditLogGroupArn: string;
  /**
   * Where the server's container logs are on its node, for shipping the audit records it writes
   * to stdout (see AuditLogShipper).
   */
  public readonly serverLogs: ContainerLogSource;

  constructor(scope: Construct, id: string, props: SearchServiceProps) {
    super(scope, id);
    const { settings, database, cache, region } = props;
    const namespaceName = props.namespace ?? "search";
    const namePrefix = resourceName(this, props.namePrefix, 40);
    const ingressOptions = props.ingress;
    const scheme = ingressOptions.scheme ?? "internal";
    const idleTimeoutSeconds = ingressOptions.idleTimeoutSeconds ?? 60;
    const sslPolicy = ingressOptions.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
    const allowedCidrs =
      ingressOptions.allowedCidrs ??
      (scheme === "internet-facing" ? ["0.0.0.0/0"] : [props.vpcCidr]);
    const targetCpuPercent = props.autoscaling?.targetCpuPercent ?? 70;
    const targetMemoryPercent = props.autoscaling?.targetMemoryPercent ?? 80;
    const maxSurge = props.maxSurge ?? Math.max(1, Math.ceil(props.replicas.max * 0.25));
    const preStopDelaySeconds = props.preStopDelaySeconds ?? 15;
    const preStopCommand = props.preStopCommand ?? ["sleep", String(preStopDelaySeconds)];
    const caBundlePath = props.postgresCaBundlePath ?? "/app/certs/rds-global-bundle.pem";
    const previousAuditKeys = props.previousAuditKeys ?? [];
    const auditMaintenanceSchedule = props.auditMaintenanceSchedule ?? "17 3 * * *";
    const port = settings.server.port;
    const timeline = terminationTimeline(settings.server.shutdownGraceMs, preStopDelaySeconds);
    const imageRef = imageReference(props.image.repositoryUrl, props.image.tag);
    const heapMiB = heapSizeMiB(props.resources.memoryLimit);

    validateProps("SearchService", [
      {
        violated: !/^(sha256:[0-9a-f]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.test(
          props.image.tag,
        ),
        message: `\`image.tag\` must be an image tag or a sha256 digest, got "${props.image.tag}"`,
      },
      {
        violated: ["latest", "main", "master"].includes(props.image.tag),
        message: `\`image.tag\` must name one build (an immutable tag or a digest), got "${props.image.tag}"`,
      },
      {
        violated:
          !Number.isInteger(props.replicas.min) ||
          props.replicas.min < 1 ||
          props.replicas.min > props.replicas.max,
        message: `\`replicas\` must satisfy 1 ≤ min ≤ max, got min ${props.replicas.min} and max ${props.replicas.max}`,
      },
      {
        violated: !Number.isInteger(maxSurge) || maxSurge < 1,
        message: `\`maxSurge\` must be a whole number ≥ 1 (maxUnavailable is 0), got ${maxSurge}`,
      },
      {
        violated: settings.server.keepAliveTimeoutMs <= idleTimeoutSeconds * 1000,
        message: `\`settings.server.keepAliveTimeoutMs\` must exceed the ALB's idle timeout (${idleTimeoutSeconds * 1000} ms), got ${settings.server.keepAliveTimeoutMs}: the ALB would reuse connections the service has closed (502s)`,
      },
      {
        violated: settings.server.shutdownGraceMs < settings.server.requestTimeoutMs,
        message: `\`settings.server.shutdownGraceMs\` must be at least server.requestTimeoutMs (${settings.server.requestTimeoutMs}), got ${settings.server.shutdownGraceMs}: the drain would cut requests short`,
      },
      {
        // The service signs its ElastiCache IAM tokens for this group; another one refuses them.
        violated:
          settings.redis.auth === "iam" &&
          isKnown(cache.replicationGroupId) &&
          settings.redis.replicationGroupId !== cache.replicationGroupId,
        message: `\`settings.redis.replicationGroupId\` must be the cache's replication group "${cache.replicationGroupId}" (its IAM auth tokens name it), got "${settings.redis.replicationGroupId}"`,
      },
      {
        violated: scheme === "internet-facing" && !ingressOptions.certificateArn,
        message: "`ingress.certificateArn` must be set when the ALB is internet-facing",
      },
      {
        violated: heapMiB === undefined,
        message: `\`resources.memoryLimit\` must be a quantity in Mi or Gi, got "${props.resources.memoryLimit}"`,
      },
      {
        violated: !Number.isInteger(preStopDelaySeconds) || preStopDelaySeconds < 0,
        message: `\`preStopDelaySeconds\` must be a whole number ≥ 0, got ${preStopDelaySeconds}`,
      },
      {
        violated:
          isKnown(auditMaintenanceSchedule) &&
          !/^(\S+\s+){4}\S+$/.test(auditMaintenanceSchedule.trim()),
        message: `\`auditMaintenanceSchedule\` must be a cron expression of 5 fields, got "${auditMaintenanceSchedule}"`,
      },
      {
        violated: !isKnown(ingressOptions.subnetIds) || ingressOptions.subnetIds.length < 2,
        message: isKnown(ingressOptions.subnetIds)
          ? `\`ingress.subnetIds\` must list at least 2 subnets (an ALB spans two zones), got ${ingressOptions.subnetIds.length}`
          : "`ingress.subnetIds` must be a list of subnet ids (one element per subnet, each may be a token), not a single list token",
      },
    ]);

    const labels = {
      "app.kubernetes.io/name": "search",
      "app.kubernetes.io/part-of": "search-platform",
      "app.kubernetes.io/managed-by": "cdktf",
    };
    const serverLabels = { ...labels, "app.kubernetes.io/component": "server" };
    const migrateLabels = { ...labels, "app.kubernetes.io/component": "migrate" };
    const maintenanceLabels = { ...labels, "app.kubernetes.io/component": "audit-maintenance" };
    const selector = {
      "app.kubernetes.io/name": "search",
      "app.kubernetes.io/component": "server",
    };

    // ── Namespace and identity ────────────────────────────────────────────────────────────
    const namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: namespaceName,
        labels: {
          ...labels,
          // Every pod here runs non-root, read-only, without capabilities: enforce it.
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          // A new pod counts as ready only once the ALB sees it healthy, so a rollout never
          // retires old pods faster than the target group takes the new ones.
          "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
        },
      },
    });
    this.namespace = namespace.metadata.name;
    const serviceAccount = new ServiceAccountV1(this, "service-account", {
      metadata: { name: "search", namespace: this.namespace, labels },
      // The service never calls the Kubernetes API; Pod Identity mounts its own token.
      automountServiceAccountToken: false,
    });
    this.serviceAccountName = serviceAccount.metadata.name;

    const partition = new DataAwsPartition(this, "partition").partition;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const role = new PodIdentityRole(this, "role", {
      clusterName: props.clusterName,
      namespace: namespaceName,
      serviceAccount: "search",
      roleName: `${namePrefix}-service`,
      policyStatements: [
        {
          sid: "ConnectToAuroraAsTheAppRole",
          actions: ["rds-db:connect"],
          resources: [
            `arn:${partition}:rds-db:${region}:${account}:dbuser:${database.clusterResourceId}/${SERVICE_DATABASE_USER}`,
          ],
        },
        ...(settings.redis.auth === "iam" && settings.redis.user
          ? [
              {
                sid: "ConnectToRedisAsTheAppUser",
                actions: ["elasticache:Connect"],
                resources: [
                  `arn:${partition}:elasticache:${region}:${account}:replicationgroup:${cache.replicationGroupId}`,
                  `arn:${partition}:elasticache:${region}:${account}:user:${settings.redis.user}`,
                ],
              },
            ]
          : []),
        {
          // The audit key is GenerateMac(this key, a fixed message): derived at start-up,
          // never stored. Only GenerateMac: the service never verifies a MAC through KMS.
          sid: "DeriveTheAuditKey",
          actions: ["kms:GenerateMac"],
          resources: [props.auditKey.arn, ...previousAuditKeys.map((k) => k.arn)],
        },
      ],
    });
    this.roleArn = role.roleArn;

    // ── Audit trail ───────────────────────────────────────────────────────────────────────
    // Kept exactly as long as the service keeps its audit partitions: one figure, from the
    // settings (derived with CloudWatch's accepted retentions).
    const auditLog = new CloudwatchLogGroup(this, "audit-log-group", {
      name: props.auditLog.logGroupName,
      retentionInDays: settings.governance.audit.retentionInDays,
      kmsKeyId: props.auditLog.logsKey.arn,
    });
    this.auditLogGroupName = auditLog.name;
    this.auditLogGroupArn = auditLog.arn;
    // The Deployment's pods are "search-<template hash>-<suffix>", its container "search".
    this.serverLogs = {
      namespace: namespaceName,
      podNamePrefix: `${SERVER_NAME}-`,
      containerName: SERVER_NAME,
    };

    // ── Settings ──────────────────────────────────────────────────────────────────────────
    const settingsJson = `${JSON.stringify(settings, null, 2)}\n`;
    this.settingsChecksum = createHash("sha256").update(settingsJson).digest("hex");
    const configMap = new ConfigMapV1(this, "settings", {
      metadata: { name: "search-settings", namespace: this.namespace, labels },
      data: {
        [SETTINGS_FILE]: settingsJson,
        [MIGRATION_SETTINGS_FILE]: `${JSON.stringify(migrationSettingsOf(settings), null, 2)}\n`,
      },
    });

    // ── The owner's credentials, for the migration Job only ───────────────────────────────
    // The External Secrets Operator reads the RDS-managed secret with its own Pod Identity and
    // keeps a Kubernetes Secret in sync with it (rotation included): no password in state.
    const ownerSecret = new ManifestsRelease(this, "database-owner-secret", {
      releaseName: "search-database-owner",
      namespace: namespaceName,
      manifests: [
        {
          apiVersion: "external-secrets.io/v1",
          kind: "SecretStore",
          metadata: { name: "aws-secrets-manager", namespace: namespaceName, labels },
          spec: { provider: { aws: { service: "SecretsManager", region } } },
        },
        {
          apiVersion: "external-secrets.io/v1",
          kind: "ExternalSecret",
          metadata: { name: OWNER_SECRET, namespace: namespaceName, labels },
          spec: {
            // RDS rotates the master password weekly; pick the new one up within minutes.
            refreshInterval: "10m",
            secretStoreRef: { name: "aws-secrets-manager", kind: "SecretStore" },
            target: { name: OWNER_SECRET, creationPolicy: "Owner", deletionPolicy: "Delete" },
            data: ["username", "password"].map((key) => ({
              secretKey: key,
              remoteRef: { key: database.masterSecretArn, property: key },
            })),
          },
        },
      ],
      dependsOn: [namespace, ...(props.dependsOn ?? [])],
    });

    // ── Pod building blocks ───────────────────────────────────────────────────────────────
    const hardened = {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: String(SERVICE_UID),
      runAsGroup: String(SERVICE_UID),
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    };
    const podSecurity = {
      runAsNonRoot: true,
      runAsUser: String(SERVICE_UID),
      runAsGroup: String(SERVICE_UID),
      fsGroup: String(SERVICE_UID),
      seccompProfile: { type: "RuntimeDefault" },
    };
    const resources = {
      requests: { cpu: props.resources.cpuRequest, memory: props.resources.memoryRequest },
      limits: {
        memory: props.resources.memoryLimit,
        ...(props.resources.cpuLimit ? { cpu: props.resources.cpuLimit } : {}),
      },
    };
    const volumeMounts = [
      { name: "settings", mountPath: SETTINGS_DIR, readOnly: true },
      // The only writable path (read-only root filesystem).
      { name: "tmp", mountPath: "/tmp" },
    ];
    const volumes = [
      { name: "settings", configMap: { name: configMap.metadata.name, defaultMode: "0444" } },
      { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
    ];
    const env = (
      entries: Record<string, string | number>,
    ): DeploymentV1SpecTemplateSpecContainerEnv[] =>
      Object.entries(entries).map(([name, value]) => ({ name, value: String(value) }));
    const postgresEnv = {
      PGHOST: database.writerEndpoint,
      PGPORT: portString(database.port),
      PGDATABASE: database.databaseName,
      PGSSLROOTCERT: caBundlePath,
      AWS_REGION: region,
      NODE_OPTIONS: `--max-old-space-size=${heapMiB}`,
    };

    // ── NetworkPolicy ─────────────────────────────────────────────────────────────────────
    // Ingress: the ALB reaches pods from its own ENIs (IP targets), whose addresses are in the
    // ALB's subnets: those CIDRs, on the service port, and nothing else — not the VPC CIDR,
    // which holds every other pod too. An internet-facing ALB sits in the public subnets,
    // where no pod lives; an internal one shares the private subnets with the nodes, so its
    // rule admits those pods on this port as well (give it subnets of its own to separate
    // them). Kubelet probes come from the node and are always admitted by the VPC CNI.
    // Egress: DNS, PostgreSQL and Redis inside the VPC, the Pod Identity agent, HTTPS. It
    // selects every pod of the namespace, the migration Job's too, and exists before them.
    const albCidrs = subnetCidrs(this, ingressOptions.subnetIds);
    const tcp = (p: string | number) => ({ port: String(p), protocol: "TCP" });
    const networkPolicy = new NetworkPolicyV1(this, "network-policy", {
      metadata: { name: "search", namespace: this.namespace, labels },
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          { from: albCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(port)] },
          ...(props.metricsScraper
            ? [
                {
                  from: [
                    {
                      namespaceSelector: {
                        matchLabels: {
                          "kubernetes.io/metadata.name": props.metricsScraper.namespace,
                        },
                      },
                      podSelector: { matchLabels: { ...props.metricsScraper.podLabels } },
                    },
                  ],
                  ports: [tcp(port)],
                },
              ]
            : []),
        ],
        egress: [
          {
            to: [
              {
                namespaceSelector: {
                  matchLabels: { "kubernetes.io/metadata.name": "kube-system" },
                },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { port: "53", protocol: "UDP" },
              { port: "53", protocol: "TCP" },
            ],
          },
          {
            to: [{ ipBlock: { cidr: props.vpcCidr } }],
            ports: [tcp(portString(database.port)), tcp(portString(cache.port))],
          },
          { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [tcp(80)] },
          // AWS APIs (regional endpoints, or interface endpoints inside the VPC).
          { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [tcp(443)] },
        ],
      },
      dependsOn: [namespace],
    });

    // The migration Job's and the audit maintenance's: the owner, with the password the
    // secrets operator syncs, and the migration settings (password auth, long statements).
    const ownerEnv = [
      ...env({ ...postgresEnv, SERVICE_CONFIG: `${SETTINGS_DIR}/${MIGRATION_SETTINGS_FILE}` }),
      ...["PGUSER", "PGPASSWORD"].map((name) => ({
        name,
        valueFrom: {
          secretKeyRef: { name: OWNER_SECRET, key: name === "PGUSER" ? "username" : "password" },
        },
      })),
    ];

    // ── Migration Job: runs to completion before the Deployment rolls ─────────────────────
    const migrationJobName = `search-migrate-${tagSlug(props.image.tag)}`;
    this.migrationJob = new JobV1(this, "migration-job", {
      metadata: { name: migrationJobName, namespace: this.namespace, labels: migrateLabels },
      spec: {
        backoffLimit: 2,
        activeDeadlineSeconds: 900,
        template: {
          metadata: { labels: migrateLabels },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: podSecurity,
            container: [
              {
                name: "migrate",
                image: imageRef,
                command: ["node", "dist/src/migrate.js"],
                env: ownerEnv,
                resources,
                securityContext: hardened,
                volumeMount: volumeMounts,
              },
            ],
            volume: volumes,
          },
        },
      },
      // A new image tag is a new Job (its name carries the tag); Terraform waits for it.
      waitForCompletion: true,
      timeouts: { create: "15m", update: "15m" },
      dependsOn: [configMap, ownerSecret.release, networkPolicy],
    });

    // ── Audit maintenance: daily, as the owner ───────────────────────────────────────────
    // Creates the audit partitions ahead and drops those past the retention (the service can
    // only create them). No audit key (it neither signs nor verifies), no AWS identity (the
    // default service account, no token); the NetworkPolicy above selects its pods too.
    this.auditMaintenance = new CronJobV1(this, "audit-maintenance", {
      metadata: {
        name: "search-audit-maintenance",
        namespace: this.namespace,
        labels: maintenanceLabels,
      },
      spec: {
        schedule: auditMaintenanceSchedule,
        timezone: "Etc/UTC",
        // One run at a time: a slow DROP must not meet the next day's run.
        concurrencyPolicy: "Forbid",
        // A run missed by more than 6 hours (control plane down, say) waits for the next day:
        // the partitions ahead cover far more than that (governance.audit.partitionsAhead).
        startingDeadlineSeconds: 6 * 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: maintenanceLabels },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 900,
            template: {
              metadata: { labels: maintenanceLabels },
              spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                securityContext: podSecurity,
                container: [
                  {
                    name: "audit-maintenance",
                    image: imageRef,
                    command: ["node", "dist/src/admin.js", "audit-maintenance"],
                    env: ownerEnv,
                    resources,
                    securityContext: hardened,
                    volumeMount: volumeMounts,
                  },
                ],
                volume: volumes,
              },
            },
          },
        },
      },
      // The schema must exist first; a new image's migrations run before its maintenance.
      dependsOn: [configMap, ownerSecret.release, networkPolicy, this.migrationJob],
    });

    // ── Deployment ────────────────────────────────────────────────────────────────────────
    const httpProbe = (path: string) => ({ path, port: "http", scheme: "HTTP" });
    const server: DeploymentV1SpecTemplateSpecContainer = {
      name: SERVER_NAME,
      image: imageRef,
      imagePullPolicy: "IfNotPresent",
      port: [{ name: "http", containerPort: port, protocol: "TCP" }],
      env: env({
        ...postgresEnv,
        PORT: port,
        SERVICE_CONFIG: `${SETTINGS_DIR}/${SETTINGS_FILE}`,
        PGUSER: SERVICE_DATABASE_USER,
        PGREADHOST: database.readerEndpoint,
        PGREADPORT: portString(database.port),
        REDIS_URL: `${settings.redis.tls ? "rediss" : "redis"}://${cache.endpoint}:${portString(cache.port)}`,
        // The key's id, not a secret: the pod derives the audit key from it through KMS.
        AUDIT_HMAC_KMS_KEY_ID: props.auditKey.arn,
        ...(previousAuditKeys.length > 0
          ? { AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS: previousAuditKeys.map((k) => k.arn).join(",") }
          : {}),
      }),
      resources,
      // Up to 2 minutes to start (connection pools, first IAM tokens) before liveness counts.
      startupProbe: {
        httpGet: httpProbe("/health/startup"),
        periodSeconds: 5,
        timeoutSeconds: 2,
        failureThreshold: 24,
      },
      // /health/ready fails when neither PostgreSQL endpoint answers. Leaving the endpoints at
      // once would turn an Aurora failover (~30 s) into a full outage, when the pods could be
      // serving stale cached results and fast 503s; so a pod leaves only after 60 s of failing.
      // A terminating pod leaves the endpoints at once whatever its probe says.
      readinessProbe: {
        httpGet: httpProbe("/health/ready"),
        periodSeconds: 5,
        timeoutSeconds: 2,
        failureThreshold: READINESS_TOLERANCE_SECONDS / 5,
        successThreshold: 1,
      },
      livenessProbe: {
        httpGet: httpProbe("/health/live"),
        periodSeconds: 10,
        timeoutSeconds: 2,
        failureThreshold: 3,
      },
      lifecycle: { preStop: [{ exec: { command: [...preStopCommand] } }] },
      securityContext: hardened,
      volumeMount: volumeMounts,
    };
    this.terminationGracePeriodSeconds = timeline.terminationGracePeriodSeconds;
    this.deregistrationDelaySeconds = timeline.deregistrationDelaySeconds;
    const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
      topologyKey,
      maxSkew: 1,
      whenUnsatisfiable,
      labelSelector: [{ matchLabels: selector }],
      // Spread each ReplicaSet on its own, so a rollout does not pile new pods in one zone.
      matchLabelKeys: ["pod-template-hash"],
    });
    this.deployment = new DeploymentV1(this, "deployment", {
      metadata: { name: SERVER_NAME, namespace: this.namespace, labels: serverLabels },
      spec: {
        replicas: String(props.replicas.min),
        revisionHistoryLimit: 5,
        progressDeadlineSeconds: 600,
        selector: { matchLabels: selector },
        strategy: {
          type: "RollingUpdate",
          // Capacity never drops during a rollout.
          rollingUpdate: { maxUnavailable: "0", maxSurge: String(maxSurge) },
        },
        template: {
          metadata: {
            labels: serverLabels,
            annotations: {
              "checksum/settings": this.settingsChecksum,
              "prometheus.io/scrape": "true",
              "prometheus.io/port": String(port),
              "prometheus.io/path": "/metrics",
            },
          },
          spec: {
            serviceAccountName: this.serviceAccountName,
            automountServiceAccountToken: false,
            securityContext: podSecurity,
            terminationGracePeriodSeconds: timeline.terminationGracePeriodSeconds,
            topologySpreadConstraint: [
              // Zones strictly: losing a zone must not take more than its share of pods.
              spread("topology.kubernetes.io/zone", "DoNotSchedule"),
              // Hosts as far as possible.
              spread("kubernetes.io/hostname", "ScheduleAnyway"),
            ],
            container: [server],
            volume: volumes,
          },
        },
      },
      waitForRollout: true,
      // The HPA owns the replica count once the Deployment exists.
      lifecycle: { ignoreChanges: ["spec[0].replicas"] },
      dependsOn: [this.migrationJob],
    });

    // ── Service, autoscaling, disruption budget ───────────────────────────────────────────
    const service = new ServiceV1(this, "service", {
      metadata: { name: "search", namespace: this.namespace, labels: serverLabels },
      spec: {
        type: "ClusterIP",
        selector,
        port: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
      },
    });
    new HorizontalPodAutoscalerV2(this, "autoscaler", {
      metadata: { name: "search", namespace: this.namespace, labels: serverLabels },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: SERVER_NAME },
        minReplicas: props.replicas.min,
        maxReplicas: props.replicas.max,
        metric: [
          resourceMetric("cpu", targetCpuPercent),
          resourceMetric("memory", targetMemoryPercent),
        ],
        behavior: {
          // Up fast (REFERENCE.md: ≤ 60 s): double, or 4 pods, every 30 s.
          scaleUp: [
            {
              stabilizationWindowSeconds: 30,
              selectPolicy: "Max",
              policy: [
                { type: "Percent", value: 100, periodSeconds: 30 },
                { type: "Pods", value: 4, periodSeconds: 30 },
              ],
            },
          ],
          // Down slowly (300 s), a fifth of the pods a minute at most.
          scaleDown: [
            {
              stabilizationWindowSeconds: 300,
              selectPolicy: "Min",
              policy: [{ type: "Percent", value: 20, periodSeconds: 60 }],
            },
          ],
        },
      },
      dependsOn: [this.deployment],
    });
    new PodDisruptionBudgetV1(this, "disruption-budget", {
      metadata: { name: "search", namespace: this.namespace, labels: serverLabels },
      // One pod at a time: with a single replica (dev) a drain still proceeds.
      spec: { maxUnavailable: "1", selector: { matchLabels: selector } },
    });

    // ── Ingress (ALB, IP targets) ─────────────────────────────────────────────────────────
    const tls = Boolean(ingressOptions.certificateArn);
    const subnetList = ingressOptions.subnetIds.join(",");
    const annotations: Record<string, string> = {
      "alb.ingress.kubernetes.io/load-balancer-name": resourceName(this, namePrefix, 32),
      "alb.ingress.kubernetes.io/scheme": scheme,
      "alb.ingress.kubernetes.io/target-type": "ip",
      "alb.ingress.kubernetes.io/subnets": subnetList,
      "alb.ingress.kubernetes.io/inbound-cidrs": allowedCidrs.join(","),
      "alb.ingress.kubernetes.io/healthcheck-path": "/health/ready",
      "alb.ingress.kubernetes.io/healthcheck-port": "traffic-port",
      "alb.ingress.kubernetes.io/healthcheck-interval-seconds": "10",
      "alb.ingress.kubernetes.io/healthcheck-timeout-seconds": "5",
      "alb.ingress.kubernetes.io/healthy-threshold-count": "2",
      "alb.ingress.kubernetes.io/unhealthy-threshold-count": "2",
      "alb.ingress.kubernetes.io/success-codes": "200",
      "alb.ingress.kubernetes.io/load-balancer-attributes": [
        `idle_timeout.timeout_seconds=${idleTimeoutSeconds}`,
        "routing.http.drop_invalid_header_fields.enabled=true",
        `deletion_protection.enabled=${ingressOptions.deletionProtection ?? false}`,
      ].join(","),
      "alb.ingress.kubernetes.io/target-group-attributes": `deregistration_delay.timeout_seconds=${timeline.deregistrationDelaySeconds}`,
      "alb.ingress.kubernetes.io/listen-ports": tls
        ? '[{"HTTP": 80}, {"HTTPS": 443}]'
        : '[{"HTTP": 80}]',
      // GET /metrics is for the in-cluster scraper: the ALB answers 404 for it.
      [`alb.ingress.kubernetes.io/actions.${METRICS_NOT_PUBLIC}`]: JSON.stringify({
        type: "fixed-response",
        fixedResponseConfig: { contentType: "text/plain", statusCode: "404" },
      }),
      ...(tls
        ? {
            "alb.ingress.kubernetes.io/certificate-arn": ingressOptions.certificateArn!,
            "alb.ingress.kubernetes.io/ssl-policy": sslPolicy,
            "alb.ingress.kubernetes.io/ssl-redirect": "443",
          }
        : {}),
    };
    this.ingress = new IngressV1(this, "ingress", {
      metadata: { name: "search", namespace: this.namespace, labels: serverLabels, annotations },
      spec: {
        ingressClassName: "alb",
        rule: [
          {
            host: ingressOptions.host,
            http: {
              path: [
                {
                  path: "/metrics",
                  pathType: "Exact",
                  backend: {
                    service: { name: METRICS_NOT_PUBLIC, port: { name: "use-annotation" } },
                  },
                },
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: service.metadata.name, port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      },
      // Fails the deploy if the controller cannot build the ALB.
      waitForLoadBalancer: true,
      dependsOn: [this.deployment, ...(props.dependsOn ?? [])],
    });
  }
}

/** A port for an env var or a NetworkPolicy: a string, whether known now or a token. */
function portString(port: number): string {
  return Token.isUnresolved(port) ? Token.asString(port) : String(port);
}

/** `<repository>:<tag>`, or `<repository>@sha256:...` for a digest. */
function imageReference(repositoryUrl: string, tag: string): string {
  return tag.startsWith("sha256:") ? `${repositoryUrl}@${tag}` : `${repositoryUrl}:${tag}`;
}

/**
 * A DNS-label-safe form of the tag for the Job's name, with a short hash of the exact tag so
 * that two tags that slug alike ("1.0_a", "1.0-a") still name different Jobs.
 */
export function tagSlug(tag: string): string {
  const hash = createHash("sha256").update(tag).digest("hex").slice(0, 8);
  const readable = tag
    .replace(/^sha256:/, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 30)
    .replace(/-+$/, "");
  return readable ? `${readable}-${hash}` : hash;
}

/** 75% of the container's memory limit for V8's old space: the rest is code, buffers, stacks. */
function heapSizeMiB(memoryLimit: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Mi|Gi)$/.exec(memoryLimit);
  if (!m) return undefined;
  const mib = Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
  return Math.floor(mib * 0.75);
}

function resourceMetric(name: "cpu" | "memory", averageUtilization: number) {
  return {
    type: "Resource",
    resource: { name, target: { type: "Utilization", averageUtilization } },
  };
}

/** The CIDR block of each subnet (read from EC2: the infra stack hands over subnet ids). */
function subnetCidrs(scope: Construct, subnetIds: readonly string[]): string[] {
  return subnetIds.map(
    (subnetId, i) => new DataAwsSubnet(scope, `alb-subnet-${i}`, { id: subnetId }).cidrBlock,
  );
}
