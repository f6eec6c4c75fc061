import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { ElasticacheParameterGroup } from "@cdktf/provider-aws/lib/elasticache-parameter-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import {
  isKnown,
  type KeyReference,
  type NetworkReference,
  resourceName,
  type SecurityGroupReference,
  validateProps,
} from "../core";
import { logRetentionRule } from "../observability/log-retention";
import { clientsRule, dailyWindowRule, weeklyWindowRule, wholeNumberRule } from "./rules";
import { clientSecurityGroup } from "./client-security-group";

const REDIS_PORT = 6379;

/** The eviction policies Redis OSS knows (`maxmemory-policy`). */
export const REDIS_EVICTION_POLICIES = [
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "noeviction",
] as const;
export type RedisEvictionPolicy = (typeof REDIS_EVICTION_POLICIES)[number];

/**
 * Whether Redis may evict any key to make room (`allkeys-*`): then a warm cache sits at
 * maxmemory by design, and memory in use says nothing about its health (evictions do).
 */
export function evictsAnyKey(policy: RedisEvictionPolicy | undefined): boolean {
  return policy !== undefined && policy.startsWith("allkeys-");
}

/**
 * The `default` user of the user group: ElastiCache requires a user named "default" in every
 * user group; this one is switched off (`off`) and allowed nothing (`-@all`), so a client that
 * does not authenticate as the application user can run no command at all.
 */
export const DISABLED_DEFAULT_USER_ACCESS_STRING = "off -@all";

/**
 * The application user's access string for keys under `keyPrefix`: reads, writes, Lua scripts
 * (rate limiting, locks) and transactions on those keys only, publish and subscribe on channels
 * under the same prefix (API key revocations reach every replica that way; Redis 7 grants no
 * channel unless told, `&`), the connection commands a client needs (HELLO, PING, SELECT, INFO,
 * the CLUSTER topology queries), and nothing in the `@dangerous` category (FLUSHALL, KEYS,
 * CONFIG, DEBUG, ...). Rules apply left to right, so the few commands re-added after
 * `-@dangerous` are the only dangerous ones allowed.
 * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html
 */
export function appUserAccessString(keyPrefix: string): string {
  return [
    "on",
    `~${keyPrefix}*`,
    `&${keyPrefix}*`,
    "-@all",
    "+@read",
    "+@write",
    "+@scripting",
    "+@transaction",
    "+@connection",
    "+@pubsub",
    "-@dangerous",
    "+info",
    "+select",
    "+cluster|slots",
    "+cluster|shards",
    "+cluster|info",
  ].join(" ");
}

export interface RedisCacheProps {
  /** The VPC; the nodes live in its isolated (data) subnets. */
  readonly network: NetworkReference;
  /** Encrypts the data at rest (disk, swap, snapshots); its key policy must let ElastiCache use it. */
  readonly key: KeyReference;
  /** Encrypts the slow-log and engine-log groups; its key policy must let CloudWatch Logs use it. */
  readonly logsKey: KeyReference;
  /** Security groups whose members may connect on 6379; nothing else is admitted. */
  readonly clients: readonly SecurityGroupReference[];
  /**
   * Replication group id (1-40 characters); member clusters are named after it.
   * @default - the construct's path below its stack, lowercased with dashes, cut to 40
   */
  readonly replicationGroupId?: string;
  /**
   * Redis OSS version, major.minor; 7.0 or later (IAM authentication needs it). The parameter
   * group's family follows the major version (`redis7`).
   * @default "7.1"
   * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html
   */
  readonly engineVersion?: string;
  /**
   * Node type of every node.
   * @default "cache.r7g.large"
   */
  readonly nodeType?: string;
  /**
   * Node groups (shards), 1-500. More than one turns on cluster mode: clients then use the
   * configuration endpoint and a cluster-aware client.
   * @default 1
   */
  readonly shards?: number;
  /**
   * Replicas of each shard's primary (0-5), placed in the zones after the primary's.
   * @default 1
   */
  readonly replicasPerShard?: number;
  /**
   * Promote a replica when a primary fails. Needs a replica; always on in cluster mode, where
   * ElastiCache requires it.
   * @default - true when there is a replica or more than one shard
   */
  readonly automaticFailover?: boolean;
  /**
   * Multi-AZ: replicas in other zones and failover across zones. Needs a replica, automatic
   * failover and at least two zones.
   * @default - true when there is a replica
   */
  readonly multiAz?: boolean;
  /**
   * Days of daily automatic snapshots, 0-35; 0 turns them off.
   * @default 7
   */
  readonly snapshotRetentionInDays?: number;
  /**
   * Daily snapshot window, UTC, `hh:mm-hh:mm`, at least 60 minutes.
   * @default "03:00-04:00"
   */
  readonly snapshotWindow?: string;
  /**
   * Weekly maintenance window, UTC, `ddd:hh:mm-ddd:hh:mm`, at least 60 minutes.
   * @default "sun:05:00-sun:06:00"
   */
  readonly maintenanceWindow?: string;
  /**
   * `maxmemory-policy`. The cache relies on eviction; keys that must not be evicted (rate-limit
   * windows, locks) belong where a `volatile-*` policy or `noeviction` applies.
   * @default "allkeys-lru"
   */
  readonly evictionPolicy?: RedisEvictionPolicy;
  /**
   * `reserved-memory-percent`: memory kept back from data for replication buffers and forks
   * (0-75); 25 leaves about 75% of the node's memory for data (REFERENCE.md).
   * @default 25
   */
  readonly reservedMemoryPercent?: number;
  /**
   * In-transit encryption (TLS required of every client). It cannot be turned off: ElastiCache
   * RBAC and IAM authentication need TLS, and this construct never runs Redis without
   * authentication. The prop exists so that a config can state it and consumers can read it.
   * @default true
   */
  readonly transitEncryption?: boolean;
  /**
   * Retention of the slow-log and engine-log groups.
   * @default 30
   */
  readonly logRetentionInDays?: number;
  /**
   * Prefix of every key the application user may touch.
   * @default "search:"
   */
  readonly keyPrefix?: string;
  /**
   * RBAC user the application authenticates as, with IAM (user id = user name, as IAM
   * authentication requires). Lowercase letters, digits and hyphens, starting with a letter;
   * user ids are unique per account and region.
   * @default - `<replicationGroupId>-app`
   */
  readonly appUserName?: string;
  /**
   * Access string of the application user.
   * @default - `appUserAccessString(keyPrefix)`: data commands on `<keyPrefix>*` keys only
   */
  readonly appUserAccessString?: string;
  /**
   * Terraform `lifecycle.prevent_destroy` on the replication group: a plan that would destroy
   * or replace it (and change its endpoints) fails instead.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * An ElastiCache for Redis OSS replication group in the isolated subnets: encrypted at rest
 * with a customer key and in transit (TLS required), authenticated with RBAC and IAM (no
 * password or token anywhere, in the Terraform JSON or in its state), replicas spread across
 * zones with automatic failover and Multi-AZ, daily snapshots, and slow-log and engine-log
 * delivered as JSON to KMS-encrypted log groups.
 *
 * Clients authenticate as `appUserName` with a short-lived IAM token (SigV4-signed, valid 15
 * minutes; connections are closed after 12 hours and must re-authenticate). Their IAM role needs
 * `elasticache:Connect` on `connectResourceArns`.
 * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html
 */
export class RedisCache extends Construct {
  /** Primary endpoint; the configuration endpoint in cluster mode. */
  public readonly primaryEndpoint: string;
  /**
   * Reader endpoint, balancing over the replicas. Cluster mode has none: cluster-aware clients
   * read from replicas through the configuration endpoint, which this then is.
   */
  public readonly readerEndpoint: string;
  public readonly port: number = REDIS_PORT;
  public readonly replicationGroupId: string;
  public readonly replicationGroupArn: string;
  /**
   * Every node's cache cluster id (`<id>-001`, or `<id>-0001-001` in cluster mode), known at
   * synth time so that alarms can be made per node.
   */
  public readonly memberClusterIds: readonly string[];
  public readonly shards: number;
  public readonly replicasPerShard: number;
  /** `maxmemory-policy`. */
  public readonly evictionPolicy: RedisEvictionPolicy;
  /** RBAC user the application authenticates as with IAM. */
  public readonly appUserName: string;
  public readonly appUserArn: string;
  /** What `elasticache:Connect` must be allowed on: the replication group and the user. */
  public readonly connectResourceArns: readonly string[];
  /** Prefix of every key the application user may touch. */
  public readonly keyPrefix: string;
  public readonly securityGroupId: string;
  /** Clients must use TLS. */
  public readonly transitEncryption: boolean;
  /** Cluster mode (more than one shard): clients must be cluster-aware. */
  public readonly clusterMode: boolean;
  public readonly slowLogGroupName: string;
  public readonly engineLogGroupName: string;
  public readonly replicationGroup: ElasticacheReplicationGroup;

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id);

    const replicationGroupId = props.replicationGroupId ?? resourceName(this, undefined, 40);
    const engineVersion = props.engineVersion ?? "7.1";
    const nodeType = props.nodeType ?? "cache.r7g.large";
    const shards = props.shards ?? 1;
    const replicasPerShard = props.replicasPerShard ?? 1;
    const clusterMode = shards > 1;
    const automaticFailover = props.automaticFailover ?? (replicasPerShard > 0 || clusterMode);
    const multiAz = props.multiAz ?? replicasPerShard > 0;
    const snapshotRetentionInDays = props.snapshotRetentionInDays ?? 7;
    const snapshotWindow = props.snapshotWindow ?? "03:00-04:00";
    const maintenanceWindow = props.maintenanceWindow ?? "sun:05:00-sun:06:00";
    const evictionPolicy = props.evictionPolicy ?? "allkeys-lru";
    const reservedMemoryPercent = props.reservedMemoryPercent ?? 25;
    const transitEncryption = props.transitEncryption ?? true;
    const logRetentionInDays = props.logRetentionInDays ?? 30;
    const keyPrefix = props.keyPrefix ?? "search:";
    const appUserName = props.appUserName ?? `${replicationGroupId}-app`;
    const accessString = props.appUserAccessString ?? appUserAccessString(keyPrefix);
    const preventDestroy = props.preventDestroy ?? true;

    const engineMajor = /^(\d+)\.\d+$/.exec(engineVersion)?.[1];
    const zones = props.network.availabilityZones;
    validateProps("RedisCache", [
      {
        violated:
          isKnown(replicationGroupId) &&
          !(/^[a-z][a-z0-9-]{0,39}$/.test(replicationGroupId) && !/--|-$/.test(replicationGroupId)),
        message: `\`replicationGroupId\` must be 1-40 lowercase letters, digits or hyphens, start with a letter, and neither end with a hyphen nor contain two in a row, got "${replicationGroupId}"`,
      },
      {
        violated: isKnown(engineVersion) && (engineMajor === undefined || Number(engineMajor) < 7),
        message: `\`engineVersion\` must be major.minor and 7.0 or later (ElastiCache IAM authentication needs Redis OSS 7), got "${engineVersion}"`,
      },
      {
        violated: isKnown(nodeType) && !/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(nodeType),
        message: `\`nodeType\` must be an ElastiCache node type like "cache.r7g.large", got "${nodeType}"`,
      },
      wholeNumberRule("shards", shards, 1, 500),
      wholeNumberRule("replicasPerShard", replicasPerShard, 0, 5),
      {
        violated: automaticFailover && replicasPerShard === 0 && !clusterMode,
        message:
          "`automaticFailover` needs a replica to promote: set replicasPerShard ≥ 1, got 0 replicas",
      },
      {
        violated: !automaticFailover && clusterMode,
        message: `\`automaticFailover\` must be true in cluster mode (ElastiCache requires it with more than one shard), got false with ${shards} shards`,
      },
      {
        violated: multiAz && replicasPerShard === 0,
        message:
          "`multiAz` needs a replica in another zone: set replicasPerShard ≥ 1, got 0 replicas",
      },
      {
        violated: multiAz && !automaticFailover,
        message: "`multiAz` needs automaticFailover, got automaticFailover false",
      },
      {
        violated: multiAz && isKnown(zones) && zones.length < 2,
        message: `\`multiAz\` needs at least 2 zones in network.availabilityZones, got ${zones.length}`,
      },
      wholeNumberRule("snapshotRetentionInDays", snapshotRetentionInDays, 0, 35),
      dailyWindowRule("snapshotWindow", snapshotWindow),
      weeklyWindowRule("maintenanceWindow", maintenanceWindow),
      {
        violated: !(REDIS_EVICTION_POLICIES as readonly string[]).includes(evictionPolicy),
        message: `\`evictionPolicy\` must be one of ${REDIS_EVICTION_POLICIES.join(", ")}, got "${evictionPolicy}"`,
      },
      wholeNumberRule("reservedMemoryPercent", reservedMemoryPercent, 0, 75),
      {
        violated: !transitEncryption,
        message:
          "`transitEncryption` must be true: ElastiCache RBAC and IAM authentication need TLS, and a cache without authentication would serve every tenant's data to anything in the security group; got false",
      },
      logRetentionRule("logRetentionInDays", logRetentionInDays),
      {
        violated: isKnown(keyPrefix) && !/^[^\s*?[\]\\]+$/.test(keyPrefix),
        message: `\`keyPrefix\` must be non-empty, without spaces or glob characters (* ? [ ] \\), got "${keyPrefix}"`,
      },
      {
        violated:
          isKnown(appUserName) &&
          (!/^[a-z][a-z0-9-]*$/.test(appUserName) || appUserName === "default"),
        message: `\`appUserName\` must be lowercase letters, digits or hyphens starting with a letter, and not "default" (IAM authentication needs user id = user name), got "${appUserName}"`,
      },
      clientsRule(props.clients),
    ]);

    this.replicationGroupId = replicationGroupId;
    this.shards = shards;
    this.replicasPerShard = replicasPerShard;
    this.evictionPolicy = evictionPolicy;
    this.clusterMode = clusterMode;
    this.transitEncryption = transitEncryption;
    this.keyPrefix = keyPrefix;
    this.appUserName = appUserName;
    this.memberClusterIds = memberClusterIds(replicationGroupId, shards, replicasPerShard);
    const lifecycle = preventDestroy ? { preventDestroy: true } : undefined;

    const subnetGroup = new ElasticacheSubnetGroup(this, "SubnetGroup", {
      name: replicationGroupId,
      description: `Isolated subnets of Redis ${replicationGroupId}`,
      subnetIds: [...props.network.isolatedSubnetIds],
    });
    const securityGroup = clientSecurityGroup(this, {
      name: `${replicationGroupId}-redis`,
      description: `Redis ${replicationGroupId}: 6379 from its clients only`,
      vpcId: props.network.vpcId,
      port: REDIS_PORT,
      protocol: "Redis",
      clients: props.clients,
    });
    this.securityGroupId = securityGroup.id;

    const family = `redis${engineMajor}`;
    const parameterGroup = new ElasticacheParameterGroup(this, "ParameterGroup", {
      name: `${replicationGroupId}-${family}`,
      family,
      description: `Redis ${replicationGroupId}: ${evictionPolicy}, ${reservedMemoryPercent}% reserved memory`,
      parameter: [
        { name: "maxmemory-policy", value: evictionPolicy },
        { name: "reserved-memory-percent", value: String(reservedMemoryPercent) },
        { name: "cluster-enabled", value: clusterMode ? "yes" : "no" },
      ],
      // A new family (major upgrade) means a new group; the cache moves before the old goes.
      lifecycle: { createBeforeDestroy: true },
    });

    const logGroup = (name: "slow-log" | "engine-log", constructId: string) =>
      new CloudwatchLogGroup(this, constructId, {
        name: `/aws/elasticache/${replicationGroupId}/${name}`,
        retentionInDays: logRetentionInDays,
        kmsKeyId: props.logsKey.arn,
      });
    const slowLog = logGroup("slow-log", "SlowLogGroup");
    const engineLog = logGroup("engine-log", "EngineLogGroup");
    this.slowLogGroupName = slowLog.name;
    this.engineLogGroupName = engineLog.name;

    // Authentication: ElastiCache requires a user named "default" in every user group; ours is
    // switched off. The application user authenticates with IAM, so no password exists at all.
    const defaultUser = new ElasticacheUser(this, "DefaultUser", {
      userId: `${replicationGroupId}-default-off`,
      userName: "default",
      engine: "redis",
      accessString: DISABLED_DEFAULT_USER_ACCESS_STRING,
      authenticationMode: { type: "no-password-required" },
    });
    const appUser = new ElasticacheUser(this, "AppUser", {
      userId: appUserName,
      userName: appUserName,
      engine: "redis",
      accessString,
      authenticationMode: { type: "iam" },
    });
    const userGroup = new ElasticacheUserGroup(this, "UserGroup", {
      userGroupId: `${replicationGroupId}-users`,
      engine: "redis",
      userIds: [defaultUser.userId, appUser.userId],
    });
    this.appUserArn = appUser.arn;

    const zoneOf = (i: number): string =>
      isKnown(zones) ? zones[i % zones.length] : Fn.element(zones, i);
    const replicationGroup = new ElasticacheReplicationGroup(this, "ReplicationGroup", {
      replicationGroupId,
      description: `Redis ${replicationGroupId}`,
      engine: "redis",
      engineVersion,
      nodeType,
      port: REDIS_PORT,
      parameterGroupName: parameterGroup.name,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: [securityGroup.id],
      clusterMode: clusterMode ? "enabled" : "disabled",
      // Cluster mode: shards × replicas, placed by ElastiCache across the subnet group's zones.
      // node_group_configuration would pin zones per shard, but in provider 6.x changing it
      // forces a new replication group, so resharding would replace the cache.
      ...(clusterMode
        ? { numNodeGroups: shards, replicasPerNodeGroup: replicasPerShard }
        : {
            numCacheClusters: 1 + replicasPerShard,
            // The primary in the first zone, each replica in the next.
            preferredCacheClusterAzs: Array.from({ length: 1 + replicasPerShard }, (_, i) =>
              zoneOf(i),
            ),
          }),
      automaticFailoverEnabled: automaticFailover,
      multiAzEnabled: multiAz,
      atRestEncryptionEnabled: "true",
      kmsKeyId: props.key.arn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: [userGroup.userGroupId],
      autoMinorVersionUpgrade: "true",
      snapshotRetentionLimit: snapshotRetentionInDays,
      snapshotWindow,
      maintenanceWindow,
      logDeliveryConfiguration: [
        {
          destinationType: "cloudwatch-logs",
          destination: slowLog.name,
          logFormat: "json",
          logType: "slow-log",
        },
        {
          destinationType: "cloudwatch-logs",
          destination: engineLog.name,
          logFormat: "json",
          logType: "engine-log",
        },
      ],
      lifecycle,
    });
    this.replicationGroup = replicationGroup;
    this.replicationGroupArn = replicationGroup.arn;
    this.primaryEndpoint = clusterMode
      ? replicationGroup.configurationEndpointAddress
      : replicationGroup.primaryEndpointAddress;
    this.readerEndpoint = clusterMode
      ? replicationGroup.configurationEndpointAddress
      : replicationGroup.readerEndpointAddress;
    this.connectResourceArns = [replicationGroup.arn, appUser.arn];
  }
}

/**
 * Cache cluster ids ElastiCache gives the nodes of a replication group: `<id>-001`, `-002`, ...
 * without cluster mode; `<id>-<shard 0001..>-<node 001..>` with it.
 */
export function memberClusterIds(
  replicationGroupId: string,
  shards: number,
  replicasPerShard: number,
): string[] {
  const nodes = (prefix: string) =>
    Array.from(
      { length: 1 + replicasPerShard },
      (_, n) => `${prefix}-${String(n + 1).padStart(3, "0")}`,
    );
  if (shards <= 1) return nodes(replicationGroupId);
  return Array.from({ length: shards }, (_, s) =>
    nodes(`${replicationGroupId}-${String(s + 1).padStart(4, "0")}`),
  ).flat();
}
