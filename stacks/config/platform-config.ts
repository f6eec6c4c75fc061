/**
 * `PlatformConfig`: one typed, validated object per environment. Everything that sizes, secures
 * or tunes the platform, and through `deriveServiceSettings` the service, comes from here.
 *
 * The schema is the single source of the type. Cross-field rules live in `superRefine` below and
 * report every failure at once, each with the path of the offending field.
 */
import {
  COMPLIANCE_PRESET_NAMES,
  COMPLIANCE_PRESETS,
  SLA_TIER_NAMES,
} from "@search-platform/service/settings";
import { z } from "zod";
import { ADDON_CHART_DEFAULTS } from "../../constructs/workloads/addon-versions";
import {
  AURORA_INSTANCE_CLASSES,
  CLOUDWATCH_RETENTION_DAYS,
  EC2_INSTANCE_TYPES,
  EKS_VERSIONS,
  ELASTICACHE_NODE_TYPES,
} from "./catalog";
import { policySettingsSchema } from "../../policies/settings";

export const STAGES = ["dev", "staging", "prod"] as const;
export type Stage = (typeof STAGES)[number];

const keysOf = <T extends object>(o: T) =>
  Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

/** A CIDR block: dotted IPv4 address, prefix length 0-32, no host bits set. */
export function cidrProblem(value: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return `must be an IPv4 CIDR block like 10.0.0.0/16, got "${value}"`;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) {
    return `must be an IPv4 CIDR block like 10.0.0.0/16, got "${value}"`;
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 2 ** (32 - prefix);
  if (address % hostBits !== 0) {
    return `must be the first address of its /${prefix} block (host bits are set), got "${value}"`;
  }
  return undefined;
}

const cidr = () =>
  z.string().superRefine((v, ctx) => {
    const problem = cidrProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const logRetention = () =>
  z.int().refine((d) => (CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `must be a retention CloudWatch Logs accepts (${CLOUDWATCH_RETENTION_DAYS.join(", ")})`,
  });

const positiveInt = () => z.int().positive();
const nonNegativeInt = () => z.int().nonnegative();
const eksAddonVersion = () =>
  z
    .string()
    .regex(
      /^v\d+\.\d+\.\d+-eksbuild\.\d+$/,
      "must be an EKS add-on version like v1.19.0-eksbuild.1",
    );
const chartVersion = (pinned: string) =>
  z
    .string()
    .regex(/^\d+\.\d+\.\d+$/, "must be an exact chart version like 1.2.3 (no ranges)")
    .default(pinned);
const kubernetesQuantity = () =>
  z
    .string()
    .regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi)?$/, "must be a Kubernetes quantity like 500m or 512Mi");

export const nodeGroupSchema = z.strictObject({
  /** Becomes part of the node group's name; lowercase letters, digits and dashes. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/),
  instanceTypes: z.array(z.enum(keysOf(EC2_INSTANCE_TYPES))).min(1),
  capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
  minSize: nonNegativeInt(),
  desiredSize: nonNegativeInt(),
  maxSize: positiveInt(),
  /** Root volume size. @default 50 */
  diskSizeGiB: z.int().min(20).max(1000).default(50),
  /** Kubernetes labels on the nodes. @default {} */
  labels: z.record(z.string(), z.string()).default({}),
});

export const platformConfigSchema = z
  .strictObject({
    /** Environment name; appears in stack names (`search-<name>-infra`) and resource names. */
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,14}$/, "must be 2-15 lowercase letters, digits or dashes"),
    /** What kind of environment this is; production rules apply to "prod". */
    stage: z.enum(STAGES),
    /** Owning team, tagged on every resource. */
    owner: z.string().min(1),
    /**
     * Protect stateful resources (KMS keys, Aurora, ElastiCache, ECR, the EKS cluster) from an
     * accidental destroy: Terraform `lifecycle.prevent_destroy` and the services' own deletion
     * protection. Must be true in prod.
     */
    preventDestroy: z.boolean(),

    aws: z.strictObject({
      /** Account the stacks deploy to. Optional for synth; the provider refuses any other. */
      accountId: z
        .preprocess(
          // An id passed through an override as a bare number loses its leading zeros;
          // account ids are always 12 digits, so padding restores them exactly.
          (v) =>
            typeof v === "number" && Number.isInteger(v) && v >= 0
              ? String(v).padStart(12, "0")
              : v,
          z.string().regex(/^\d{12}$/, "must be a 12-digit AWS account id"),
        )
        .optional(),
      region: z
        .string()
        .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region like eu-west-1"),
      availabilityZones: z.array(z.string()).min(2).max(6),
      /**
       * Create the EC2 Auto Scaling service-linked role, which the node-volume key's policy
       * names. Only in an account that has never had an Auto Scaling group. @default false
       */
      createAutoScalingServiceLinkedRole: z.boolean().default(false),
    }),

    network: z.strictObject({
      /** The VPC's block; /16 to /24 so that 3 tiers × the AZs still get subnets. */
      vpcCidr: cidr(),
      /** One NAT gateway per AZ (survives an AZ loss) or one shared (cheaper). */
      natGateways: z.enum(["one-per-az", "single"]),
      /** VPC flow log retention. @default 365 */
      flowLogRetentionInDays: logRetention().default(365),
      /** Use this VPC and these subnets instead of creating them. */
      existing: z
        .strictObject({
          vpcId: z.string().regex(/^vpc-[0-9a-f]+$/),
          vpcCidr: cidr(),
          publicSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(2),
          privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(2),
          isolatedSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(2),
        })
        .optional(),
    }),

    eks: z.strictObject({
      version: z.enum(EKS_VERSIONS),
      endpoint: z.strictObject({
        /** Serve the API on a public endpoint too (never in prod). */
        publicAccess: z.boolean(),
        /** Who may reach the public endpoint. */
        publicAccessCidrs: z.array(cidr()).default([]),
      }),
      /** IAM principals given cluster-admin through access entries. @default [] */
      adminPrincipalArns: z
        .array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/))
        .default([]),
      nodeGroups: z.array(nodeGroupSchema).min(1),
      /** Pinned EKS add-on versions. */
      addons: z.strictObject({
        vpcCni: eksAddonVersion(),
        coredns: eksAddonVersion(),
        kubeProxy: eksAddonVersion(),
        podIdentityAgent: eksAddonVersion(),
        ebsCsiDriver: eksAddonVersion(),
        /** Container Insights metrics (the node alarms read them) and container logs. */
        cloudWatchObservability: eksAddonVersion(),
      }),
      /** Control-plane log retention. @default 90 */
      logRetentionInDays: logRetention().default(90),
    }),

    aurora: z.strictObject({
      /** Aurora PostgreSQL engine version, major.minor. */
      engineVersion: z.string().regex(/^\d{2}\.\d+$/, "must be major.minor, like 16.6"),
      instanceClass: z.enum(keysOf(AURORA_INSTANCE_CLASSES)),
      /** Readers provisioned besides the writer. */
      readers: z.int().min(0).max(15),
      /** Application Auto Scaling bounds on the number of readers. */
      readerAutoscaling: z.strictObject({
        minReaders: z.int().min(0).max(15),
        maxReaders: z.int().min(0).max(15),
        /** Average reader CPU the scaling policy aims for. @default 60 */
        targetCpuPercent: z.int().min(10).max(90).default(60),
      }),
      backupRetentionInDays: z.int().min(1).max(35),
      deletionProtection: z.boolean(),
      /** Take a final snapshot when the cluster is destroyed. */
      finalSnapshot: z.boolean(),
      /** @default "search" */
      databaseName: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/)
        .default("search"),
      /** @default 7 (the free tier) */
      performanceInsightsRetentionInDays: z
        .int()
        .refine((d) => d === 7 || d === 731 || (d % 31 === 0 && d >= 31 && d <= 713), {
          message: "must be 7, a multiple of 31 up to 713, or 731",
        })
        .default(7),
      /** Enhanced monitoring interval; 0 turns it off. @default 60 */
      monitoringIntervalSeconds: z
        .union([0, 1, 5, 10, 15, 30, 60].map((n) => z.literal(n)))
        .default(60),
      /** PostgreSQL log retention in CloudWatch. @default 90 */
      logRetentionInDays: logRetention().default(90),
      /** @default "02:00-03:00" (UTC) */
      preferredBackupWindow: z
        .string()
        .regex(/^\d{2}:\d{2}-\d{2}:\d{2}$/)
        .default("02:00-03:00"),
      /** @default "sun:03:30-sun:04:30" (UTC) */
      preferredMaintenanceWindow: z
        .string()
        .regex(/^[a-z]{3}:\d{2}:\d{2}-[a-z]{3}:\d{2}:\d{2}$/)
        .default("sun:03:30-sun:04:30"),
    }),

    redis: z.strictObject({
      /** Redis OSS engine version, major.minor. */
      engineVersion: z.string().regex(/^\d+\.\d+$/, "must be major.minor, like 7.1"),
      nodeType: z.enum(keysOf(ELASTICACHE_NODE_TYPES)),
      /** Node groups (shards); more than 1 turns on cluster mode. */
      shards: z.int().min(1).max(500),
      replicasPerShard: z.int().min(0).max(5),
      snapshotRetentionInDays: z.int().min(0).max(35),
      /** TLS between clients and Redis. @default true */
      transitEncryption: z.boolean().default(true),
      /** @default "allkeys-lru" */
      evictionPolicy: z
        .enum([
          "allkeys-lru",
          "allkeys-lfu",
          "volatile-lru",
          "volatile-lfu",
          "volatile-ttl",
          "noeviction",
        ])
        .default("allkeys-lru"),
      /** Memory kept back from Redis for replication and forks; 25 leaves ~75% for data. @default 25 */
      reservedMemoryPercent: z.int().min(0).max(75).default(25),
      /** Slow-log and engine-log retention. @default 30 */
      logRetentionInDays: logRetention().default(30),
    }),

    sla: z.strictObject({
      tier: z.enum(SLA_TIER_NAMES),
    }),

    compliance: z.strictObject({
      preset: z.enum(COMPLIANCE_PRESET_NAMES),
      /** Audit retention; at least the preset's minimum. @default the preset's minimum */
      auditRetentionInDays: positiveInt().optional(),
    }),

    observability: z.strictObject({
      /** Retention of the platform's own log groups. @default 365 */
      logRetentionInDays: logRetention().default(365),
      /** Addresses subscribed to the alarm topic. @default [] */
      alarmEmails: z.array(z.email()).default([]),
      /** Alarm thresholds on managed services. */
      thresholds: z
        .strictObject({
          /** @default 80 */
          auroraCpuPercent: z.number().min(1).max(100).default(80),
          /** Alarm when freeable memory drops below this share of the instance's. @default 10 */
          auroraFreeableMemoryPercent: z.number().min(1).max(90).default(10),
          /** Alarm when connections pass this share of max_connections. @default 80 */
          auroraConnectionsPercent: z.number().min(1).max(100).default(80),
          /** @default 1000 */
          auroraReplicaLagMs: positiveInt().default(1000),
          /** Alarm when free local storage drops below this share of memory. @default 10 */
          auroraFreeLocalStoragePercent: z.number().min(1).max(90).default(10),
          /** @default 75 */
          redisEngineCpuPercent: z.number().min(1).max(100).default(75),
          /** @default 75 */
          redisMemoryPercent: z.number().min(1).max(100).default(75),
          /** @default 1000 */
          redisCurrentConnections: positiveInt().default(1000),
          /** @default 1 */
          redisReplicationLagSeconds: z.number().positive().default(1),
          /** @default 80 */
          nodeCpuPercent: z.number().min(1).max(100).default(80),
          /** @default 75 */
          nodeMemoryPercent: z.number().min(1).max(100).default(75),
        })
        .prefault({}),
    }),

    /** How the search service runs on the cluster. */
    service: z.strictObject({
      /** Image tag in the ECR repository (immutable tags), or a digest `sha256:...`. */
      imageTag: z.string().regex(/^(sha256:[0-9a-f]{64}|[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/),
      replicas: z.strictObject({ min: positiveInt(), max: positiveInt() }),
      resources: z.strictObject({
        cpuRequest: kubernetesQuantity(),
        cpuLimit: kubernetesQuantity().optional(),
        memoryRequest: kubernetesQuantity(),
        memoryLimit: kubernetesQuantity(),
      }),
      /** Kubernetes namespace of the service. @default "search" */
      namespace: z
        .string()
        .regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a Kubernetes namespace name")
        .default("search"),
      /** Horizontal pod autoscaler targets, as a share of the pods' requests. */
      autoscaling: z
        .strictObject({
          /** @default 70 (REFERENCE.md) */
          targetCpuPercent: z.int().min(10).max(95).default(70),
          /** @default 80 (REFERENCE.md) */
          targetMemoryPercent: z.int().min(10).max(95).default(80),
        })
        .prefault({}),
      /**
       * Seconds a terminating pod keeps serving before the service starts draining, so that the
       * load balancer has deregistered it by then. @default 15
       */
      preStopDelaySeconds: z.int().min(0).max(120).default(15),
      /**
       * The ElastiCache RBAC user the service authenticates as with IAM (user id = user name);
       * the infra stack's RedisCache must create it under this name.
       * @default "search-<name>-app" (see `redisAppUserName` in stacks/derive)
       */
      redisUser: z
        .string()
        .regex(
          /^[a-z][a-z0-9-]{0,39}$/,
          "must be 1-40 lowercase letters, digits or dashes, starting with a letter",
        )
        .optional(),
      /** The ALB in front of the service (AWS Load Balancer Controller, IP targets). */
      ingress: z
        .strictObject({
          /** "internal": reachable from inside the VPC only. @default "internal" */
          scheme: z.enum(["internal", "internet-facing"]).default("internal"),
          /** ACM certificate for HTTPS; without one the ALB serves plain HTTP (dev only). */
          certificateArn: z
            .string()
            .regex(
              /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/,
              "must be an ACM certificate ARN",
            )
            .optional(),
          /** Host name the ALB routes to the service; every host when absent. */
          host: z
            .string()
            .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "must be a DNS host name")
            .optional(),
          /** TLS policy of the HTTPS listener. @default "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" */
          sslPolicy: z
            .string()
            .regex(/^ELBSecurityPolicy-[A-Za-z0-9-]+$/, "must be an ELB security policy name")
            .default("ELBSecurityPolicy-TLS13-1-2-Res-2021-06"),
          /** ALB idle timeout; the service's keep-alive is derived above it. @default 60 */
          idleTimeoutSeconds: z.int().min(1).max(4000).default(60),
          /** Who may reach the ALB. @default - anywhere when internet-facing, the VPC when internal */
          allowedCidrs: z.array(cidr()).min(1).optional(),
        })
        .prefault({}),
    }),

    /**
     * Cluster add-ons installed by the workloads stack (helm_release), their chart versions
     * pinned here so that an upgrade is a reviewed config change, per environment if need be.
     */
    addons: z
      .strictObject({
        /** metrics-server (the HPA's CPU and memory metrics). @default ADDON_CHART_DEFAULTS */
        metricsServer: z
          .strictObject({ chartVersion: chartVersion(ADDON_CHART_DEFAULTS.metricsServer) })
          .prefault({}),
        /** AWS Load Balancer Controller (the service's ALB). @default ADDON_CHART_DEFAULTS */
        awsLoadBalancerController: z
          .strictObject({
            chartVersion: chartVersion(ADDON_CHART_DEFAULTS.awsLoadBalancerController),
          })
          .prefault({}),
        /** External Secrets Operator (the migration Job's owner credentials). @default ADDON_CHART_DEFAULTS */
        externalSecrets: z
          .strictObject({ chartVersion: chartVersion(ADDON_CHART_DEFAULTS.externalSecrets) })
          .prefault({}),
        /** Cluster Autoscaler, auto-discovering the managed node groups. */
        clusterAutoscaler: z
          .strictObject({
            /** @default ADDON_CHART_DEFAULTS */
            chartVersion: chartVersion(ADDON_CHART_DEFAULTS.clusterAutoscaler),
            /** Must share eks.version's minor (it tracks Kubernetes). @default ADDON_CHART_DEFAULTS */
            imageTag: z
              .string()
              .regex(/^v\d+\.\d+\.\d+$/, "must be a Cluster Autoscaler tag like v1.34.1")
              .default(ADDON_CHART_DEFAULTS.clusterAutoscalerImageTag),
          })
          .prefault({}),
        /** OpenTelemetry Collector: scrapes the service's /metrics into CloudWatch (EMF). */
        openTelemetryCollector: z
          .strictObject({ chartVersion: chartVersion(ADDON_CHART_DEFAULTS.openTelemetryCollector) })
          .prefault({}),
      })
      .prefault({}),

    /** Tags on every resource, besides environment, service, owner and compliance preset. */
    tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),

    /** Remote state: one S3 object per stack, encrypted, with a lock. */
    state: z.strictObject({
      bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name"),
      /** State objects live at `<keyPrefix>/<stack>.tfstate`. */
      keyPrefix: z.string().regex(/^[A-Za-z0-9!_.*'()/-]+$/),
      region: z
        .string()
        .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region like eu-west-1"),
      /** "s3-lockfile": S3 native locking (Terraform ≥ 1.10, OpenTofu ≥ 1.10); or a DynamoDB table. */
      lock: z.union([
        z.literal("s3-lockfile"),
        z.strictObject({ dynamodbTable: z.string().min(3) }),
      ]),
      /** KMS key for the state objects; S3-managed keys when absent. */
      kmsKeyArn: z.string().startsWith("arn:").optional(),
    }),

    /**
     * Policy-as-code (policies/): the severity at which unwaived findings fail synth, packs
     * beyond the compliance preset's, and waivers. @default fail at "high", no extra packs, no waivers
     */
    policy: policySettingsSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    const fail = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: "custom", path, message });
    const prod = c.stage === "prod";

    if (prod && !c.preventDestroy) {
      fail(
        ["preventDestroy"],
        "must be true in prod (stateful resources are never destroyed by accident)",
      );
    }

    // Availability zones
    const azs = c.aws.availabilityZones;
    azs.forEach((az, i) => {
      if (!new RegExp(`^${c.aws.region}[a-z]$`).test(az)) {
        fail(
          ["aws", "availabilityZones", i],
          `must be a zone of ${c.aws.region} (like ${c.aws.region}a), got "${az}"`,
        );
      }
    });
    if (new Set(azs).size !== azs.length) {
      fail(["aws", "availabilityZones"], `must not repeat a zone, got [${azs.join(", ")}]`);
    }
    if (prod && azs.length < 3) {
      fail(["aws", "availabilityZones"], `must list at least 3 zones in prod, got ${azs.length}`);
    }

    // Network
    const prefix = Number(c.network.vpcCidr.split("/")[1]);
    if (!cidrProblem(c.network.vpcCidr) && (prefix < 16 || prefix > 24)) {
      fail(["network", "vpcCidr"], `must have a prefix between /16 and /24, got /${prefix}`);
    }
    if (c.network.existing) {
      for (const tier of ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"] as const) {
        if (c.network.existing[tier].length !== azs.length) {
          fail(
            ["network", "existing", tier],
            `must name one subnet per availability zone (${azs.length}), got ${c.network.existing[tier].length}`,
          );
        }
      }
    }

    // EKS
    if (prod && c.eks.endpoint.publicAccess) {
      fail(["eks", "endpoint", "publicAccess"], "must be false in prod (private endpoint only)");
    }
    if (c.eks.endpoint.publicAccess && c.eks.endpoint.publicAccessCidrs.length === 0) {
      fail(
        ["eks", "endpoint", "publicAccessCidrs"],
        "must list at least one CIDR when publicAccess is true",
      );
    }
    c.eks.endpoint.publicAccessCidrs.forEach((block, i) => {
      if (block.endsWith("/0")) {
        fail(
          ["eks", "endpoint", "publicAccessCidrs", i],
          `must not open the API to the internet, got "${block}"`,
        );
      }
    });
    const nodeGroupNames = new Set<string>();
    c.eks.nodeGroups.forEach((g, i) => {
      if (nodeGroupNames.has(g.name))
        fail(["eks", "nodeGroups", i, "name"], `must be unique, "${g.name}" repeats`);
      nodeGroupNames.add(g.name);
      if (g.minSize > g.maxSize) {
        fail(
          ["eks", "nodeGroups", i, "minSize"],
          `must be ≤ maxSize (${g.maxSize}), got ${g.minSize}`,
        );
      }
      if (g.desiredSize < g.minSize || g.desiredSize > g.maxSize) {
        fail(
          ["eks", "nodeGroups", i, "desiredSize"],
          `must be between minSize (${g.minSize}) and maxSize (${g.maxSize}), got ${g.desiredSize}`,
        );
      }
      const arches = new Set(g.instanceTypes.map((t) => EC2_INSTANCE_TYPES[t].arch));
      if (arches.size > 1) {
        fail(
          ["eks", "nodeGroups", i, "instanceTypes"],
          "must all share one CPU architecture (one AMI per node group)",
        );
      }
    });

    // Aurora
    const a = c.aurora;
    if (prod && a.readers < 1) {
      fail(["aurora", "readers"], `must be ≥ 1 in prod, got ${a.readers}`);
    }
    if (a.readerAutoscaling.minReaders > a.readerAutoscaling.maxReaders) {
      fail(
        ["aurora", "readerAutoscaling", "minReaders"],
        `must be ≤ maxReaders (${a.readerAutoscaling.maxReaders}), got ${a.readerAutoscaling.minReaders}`,
      );
    }
    if (a.readers < a.readerAutoscaling.minReaders || a.readers > a.readerAutoscaling.maxReaders) {
      fail(
        ["aurora", "readers"],
        `must be within readerAutoscaling bounds (${a.readerAutoscaling.minReaders}-${a.readerAutoscaling.maxReaders}), got ${a.readers}`,
      );
    }
    if (prod && AURORA_INSTANCE_CLASSES[a.instanceClass].burstable) {
      fail(
        ["aurora", "instanceClass"],
        `must not be a burstable (T) class in prod, got "${a.instanceClass}"`,
      );
    }

    // Redis
    if (prod && c.redis.replicasPerShard < 1) {
      fail(
        ["redis", "replicasPerShard"],
        `must be ≥ 1 in prod (automatic failover needs a replica), got ${c.redis.replicasPerShard}`,
      );
    }
    if (c.redis.evictionPolicy === "noeviction") {
      // The cache relies on eviction; rate-limit and lock keys live apart (REFERENCE.md).
      fail(
        ["redis", "evictionPolicy"],
        'must evict: the search cache relies on it (got "noeviction")',
      );
    }

    // Compliance
    const minimum = COMPLIANCE_PRESETS[c.compliance.preset].minAuditRetentionInDays;
    if (
      c.compliance.auditRetentionInDays !== undefined &&
      c.compliance.auditRetentionInDays < minimum
    ) {
      fail(
        ["compliance", "auditRetentionInDays"],
        `must be at least ${minimum} days under the "${c.compliance.preset}" preset, got ${c.compliance.auditRetentionInDays}`,
      );
    }

    // Service
    if (c.service.replicas.min > c.service.replicas.max) {
      fail(
        ["service", "replicas", "min"],
        `must be ≤ replicas.max (${c.service.replicas.max}), got ${c.service.replicas.min}`,
      );
    }
    if (prod && c.service.replicas.min < 2) {
      fail(
        ["service", "replicas", "min"],
        `must be ≥ 2 in prod (one pod is one failure away from an outage), got ${c.service.replicas.min}`,
      );
    }
    const ingress = c.service.ingress;
    if (!ingress.certificateArn && prod) {
      fail(["service", "ingress", "certificateArn"], "must be set in prod (HTTPS only)");
    } else if (!ingress.certificateArn && ingress.scheme === "internet-facing") {
      fail(
        ["service", "ingress", "certificateArn"],
        "must be set when service.ingress.scheme is internet-facing (no plain HTTP on the internet)",
      );
    }
    // The service authenticates to ElastiCache with IAM: Redis OSS 7+ and in-transit encryption.
    if (!c.redis.transitEncryption) {
      fail(
        ["redis", "transitEncryption"],
        "must be true: the service authenticates to ElastiCache with IAM, which needs TLS",
      );
    }
    const redisMajor = Number(c.redis.engineVersion.split(".")[0]);
    if (redisMajor < 7) {
      fail(
        ["redis", "engineVersion"],
        `must be 7.0 or later for IAM authentication, got "${c.redis.engineVersion}"`,
      );
    }

    // Add-ons
    const autoscalerMinor = /^v(\d+\.\d+)\./.exec(c.addons.clusterAutoscaler.imageTag)?.[1];
    if (autoscalerMinor && autoscalerMinor !== c.eks.version) {
      fail(
        ["addons", "clusterAutoscaler", "imageTag"],
        `must be a ${c.eks.version}.x release to match eks.version (the autoscaler tracks the Kubernetes minor), got "${c.addons.clusterAutoscaler.imageTag}"`,
      );
    }
  });

/** What an environment file writes (defaults not yet applied). */
export type PlatformConfigInput = z.input<typeof platformConfigSchema>;
/** A validated environment. */
export type PlatformConfig = z.output<typeof platformConfigSchema>;
