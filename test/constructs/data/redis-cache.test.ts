import { TerraformOutput } from "cdktf";
import {
  appUserAccessString,
  RedisCache,
  type RedisCacheProps,
  type RedisEvictionPolicy,
} from "../../../constructs";
import { dataKey, jobs, logsKey, network, nodes } from "../../support/references";
import { attributeNames, problemsOf, ref, synth, type TfBlock } from "../../support/synth";

const required: RedisCacheProps = { network, key: dataKey, logsKey, clients: [nodes] };

const REPLICATION_GROUP = "aws_elasticache_replication_group.Cache_ReplicationGroup_BFE59FF3";

/** Synthesizes a cache and, as Terraform outputs, the values it exposes as tokens. */
function build(props: Partial<RedisCacheProps> = {}) {
  return synth((scope) => {
    const cache = new RedisCache(scope, "Cache", { ...required, ...props });
    new TerraformOutput(scope, "primary", { value: cache.primaryEndpoint });
    new TerraformOutput(scope, "reader", { value: cache.readerEndpoint });
    new TerraformOutput(scope, "connect", { value: cache.connectResourceArns });
    return cache;
  });
}

function users(s: ReturnType<typeof build>): Record<string, TfBlock> {
  return Object.fromEntries(
    Object.values(s.resources("aws_elasticache_user")).map((u) => [u.user_name, u]),
  );
}

describe("RedisCache", () => {
  it("works with only its required props", () => {
    // WHEN
    const s = build();

    // THEN a primary and a replica in two zones, encrypted, authenticated, protected
    expect(s.resource("aws_elasticache_replication_group")).toMatchObject({
      replication_group_id: "test-cache",
      engine: "redis",
      engine_version: "7.1",
      node_type: "cache.r7g.large",
      port: 6379,
      cluster_mode: "disabled",
      num_cache_clusters: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      snapshot_retention_limit: 7,
      snapshot_window: "03:00-04:00",
      maintenance_window: "sun:05:00-sun:06:00",
      auto_minor_version_upgrade: "true",
      lifecycle: { prevent_destroy: true },
    });
    const cache = s.built;
    expect(cache.memberClusterIds).toEqual(["test-cache-001", "test-cache-002"]);
    expect(cache.appUserName).toBe("test-cache-app");
    expect(cache.keyPrefix).toBe("search:");
    expect(cache.port).toBe(6379);
    expect(cache.transitEncryption).toBe(true);
    expect(cache.clusterMode).toBe(false);
    expect(s.tf.output.primary.value).toBe(ref(`${REPLICATION_GROUP}.primary_endpoint_address`));
    expect(s.tf.output.reader.value).toBe(ref(`${REPLICATION_GROUP}.reader_endpoint_address`));
  });

  it("encrypts at rest with its key and requires TLS in transit", () => {
    const group = build().resource("aws_elasticache_replication_group");

    expect(group).toMatchObject({
      at_rest_encryption_enabled: "true",
      kms_key_id: dataKey.arn,
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
    });
  });

  it("authenticates without any password or token in the synthesized JSON", () => {
    const s = build();

    expect(attributeNames(s.tf).filter((name) => /password|auth_token|secret/i.test(name))).toEqual(
      [],
    );
  });

  describe("RBAC", () => {
    it("puts a switched-off default user and an IAM-authenticated application user in the group", () => {
      const s = build();

      const { default: defaultUser, "test-cache-app": appUser } = users(s);
      expect(defaultUser).toEqual({
        user_id: "test-cache-default-off",
        user_name: "default",
        engine: "redis",
        access_string: "off -@all",
        authentication_mode: { type: "no-password-required" },
      });
      expect(appUser).toEqual({
        user_id: "test-cache-app",
        user_name: "test-cache-app",
        engine: "redis",
        access_string: appUserAccessString("search:"),
        authentication_mode: { type: "iam" },
      });
      const group = s.resource("aws_elasticache_user_group");
      expect(group).toEqual({
        user_group_id: "test-cache-users",
        engine: "redis",
        user_ids: [
          ref("aws_elasticache_user.Cache_DefaultUser_47D483BA.user_id"),
          ref("aws_elasticache_user.Cache_AppUser_61A72E56.user_id"),
        ],
      });
      expect(s.resource("aws_elasticache_replication_group").user_group_ids).toEqual([
        ref("aws_elasticache_user_group.Cache_UserGroup_978A79CF.user_group_id"),
      ]);
    });

    it("limits the application user to keys and channels under the prefix and drops dangerous commands", () => {
      expect(appUserAccessString("search:")).toBe(
        "on ~search:* &search:* -@all +@read +@write +@scripting +@transaction +@connection " +
          "+@pubsub -@dangerous " +
          "+info +select +cluster|slots +cluster|shards +cluster|info",
      );
    });

    it.each([
      [{ keyPrefix: "tenant-a:" }, "test-cache-app", "~tenant-a:*"],
      [{ appUserName: "search-service" }, "search-service", "~search:*"],
    ])("names the user and its keys from props (%o)", (props, userName, keyPattern) => {
      const appUser = users(build(props))[userName];

      expect(appUser.user_id).toBe(userName);
      expect(appUser.access_string.split(" ")).toContain(keyPattern);
    });

    it("takes an access string from props", () => {
      const accessString = "on ~search:* -@all +get +set";
      const appUser = users(build({ appUserAccessString: accessString }))["test-cache-app"];

      expect(appUser.access_string).toBe(accessString);
    });

    it("exposes what elasticache:Connect must be allowed on", () => {
      expect(build().tf.output.connect.value).toEqual([
        ref(`${REPLICATION_GROUP}.arn`),
        ref("aws_elasticache_user.Cache_AppUser_61A72E56.arn"),
      ]);
    });
  });

  it("admits 6379 only from the clients' security groups, with a description on every rule", () => {
    const s = build({ clients: [nodes, jobs] });

    const rules = Object.values(s.resources("aws_vpc_security_group_ingress_rule"));
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule).toMatchObject({
        ip_protocol: "tcp",
        from_port: 6379,
        to_port: 6379,
        security_group_id: ref("aws_security_group.Cache_SecurityGroup_24A10A71.id"),
      });
      expect(rule.description).toMatch(/^Redis from client security group \d$/);
      expect(rule).not.toHaveProperty("cidr_ipv4");
    }
    expect(rules.map((r) => r.referenced_security_group_id).sort()).toEqual([
      "sg-jobs",
      "sg-nodes",
    ]);
    expect(s.resources("aws_vpc_security_group_egress_rule")).toEqual({});
    expect(s.resource("aws_security_group")).not.toHaveProperty("egress");
    expect(s.resource("aws_elasticache_replication_group").security_group_ids).toEqual([
      ref("aws_security_group.Cache_SecurityGroup_24A10A71.id"),
    ]);
    expect(s.resource("aws_elasticache_subnet_group").subnet_ids).toEqual(
      network.isolatedSubnetIds,
    );
  });

  it.each<[Partial<RedisCacheProps>, string, string, string]>([
    [{}, "allkeys-lru", "25", "no"],
    [{ evictionPolicy: "volatile-lfu", reservedMemoryPercent: 30 }, "volatile-lfu", "30", "no"],
    [{ shards: 3 }, "allkeys-lru", "25", "yes"],
  ])(
    "sets eviction, reserved memory and cluster mode in its parameter group (%o)",
    (props, policy, reserved, clusterEnabled) => {
      const s = build(props);

      const group = s.resource("aws_elasticache_parameter_group");
      expect(group.family).toBe("redis7");
      expect(group.parameter).toEqual([
        { name: "maxmemory-policy", value: policy },
        { name: "reserved-memory-percent", value: reserved },
        { name: "cluster-enabled", value: clusterEnabled },
      ]);
      expect(s.resource("aws_elasticache_replication_group").parameter_group_name).toBe(
        ref("aws_elasticache_parameter_group.Cache_ParameterGroup_32BBAE3A.name"),
      );
    },
  );

  it.each<[Partial<RedisCacheProps>, boolean, boolean]>([
    [{ replicasPerShard: 0 }, false, false],
    [{ replicasPerShard: 1 }, true, true],
    [{ replicasPerShard: 2 }, true, true],
    [{ shards: 3, replicasPerShard: 0 }, true, false],
    [{ shards: 3, replicasPerShard: 1 }, true, true],
  ])(
    "turns on failover and Multi-AZ only with replicas (%o)",
    (props, automaticFailover, multiAz) => {
      expect(build(props).resource("aws_elasticache_replication_group")).toMatchObject({
        automatic_failover_enabled: automaticFailover,
        multi_az_enabled: multiAz,
      });
    },
  );

  it.each([
    [0, ["eu-west-1a"]],
    [2, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]],
    [3, ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1a"]],
  ])("spreads the primary and %i replicas across the zones", (replicasPerShard, zones) => {
    const group = build({ replicasPerShard }).resource("aws_elasticache_replication_group");

    expect(group.num_cache_clusters).toBe(1 + replicasPerShard);
    expect(group.preferred_cache_cluster_azs).toEqual(zones);
  });

  it("shards in cluster mode and exposes the configuration endpoint", () => {
    // WHEN three shards with one replica each
    const s = build({ shards: 3, replicasPerShard: 1 });

    // THEN
    const group = s.resource("aws_elasticache_replication_group");
    expect(group).toMatchObject({
      cluster_mode: "enabled",
      num_node_groups: 3,
      replicas_per_node_group: 1,
    });
    expect(group).not.toHaveProperty("num_cache_clusters");
    expect(group).not.toHaveProperty("preferred_cache_cluster_azs");
    expect(s.built.clusterMode).toBe(true);
    expect(s.built.memberClusterIds).toEqual([
      "test-cache-0001-001",
      "test-cache-0001-002",
      "test-cache-0002-001",
      "test-cache-0002-002",
      "test-cache-0003-001",
      "test-cache-0003-002",
    ]);
    const configurationEndpoint = ref(`${REPLICATION_GROUP}.configuration_endpoint_address`);
    expect(s.tf.output.primary.value).toBe(configurationEndpoint);
    expect(s.tf.output.reader.value).toBe(configurationEndpoint);
  });

  it("delivers the slow log and the engine log as JSON to encrypted, retained log groups", () => {
    const s = build({ logRetentionInDays: 90 });

    expect(s.resource("aws_elasticache_replication_group").log_delivery_configuration).toEqual([
      {
        destination_type: "cloudwatch-logs",
        destination: ref("aws_cloudwatch_log_group.Cache_SlowLogGroup_DA9E21FD.name"),
        log_format: "json",
        log_type: "slow-log",
      },
      {
        destination_type: "cloudwatch-logs",
        destination: ref("aws_cloudwatch_log_group.Cache_EngineLogGroup_0EFED26E.name"),
        log_format: "json",
        log_type: "engine-log",
      },
    ]);
    const logGroups = Object.values(s.resources("aws_cloudwatch_log_group"));
    expect(logGroups.sort((a, b) => b.name.localeCompare(a.name))).toEqual([
      {
        name: "/aws/elasticache/test-cache/slow-log",
        retention_in_days: 90,
        kms_key_id: logsKey.arn,
      },
      {
        name: "/aws/elasticache/test-cache/engine-log",
        retention_in_days: 90,
        kms_key_id: logsKey.arn,
      },
    ]);
  });

  it("takes snapshots and maintenance windows from props", () => {
    const group = build({
      snapshotRetentionInDays: 14,
      snapshotWindow: "01:00-02:00",
      maintenanceWindow: "sat:04:00-sat:05:00",
    }).resource("aws_elasticache_replication_group");

    expect(group).toMatchObject({
      snapshot_retention_limit: 14,
      snapshot_window: "01:00-02:00",
      maintenance_window: "sat:04:00-sat:05:00",
    });
  });

  it.each([
    [undefined, { prevent_destroy: true }],
    [false, undefined],
  ])(
    "sets prevent_destroy on the replication group (preventDestroy: %s)",
    (preventDestroy, lifecycle) => {
      expect(
        build({ preventDestroy }).resource("aws_elasticache_replication_group").lifecycle,
      ).toEqual(lifecycle);
    },
  );

  describe("validation", () => {
    it.each<[string, Partial<RedisCacheProps>, readonly string[]]>([
      [
        "the replication group id has upper case",
        { replicationGroupId: "Search_Cache", appUserName: "search-app" },
        [
          '`replicationGroupId` must be 1-40 lowercase letters, digits or hyphens, start with a letter, and neither end with a hyphen nor contain two in a row, got "Search_Cache"',
        ],
      ],
      [
        "the replication group id is longer than 40 characters",
        { replicationGroupId: "a".repeat(41), appUserName: "search-app" },
        [
          `\`replicationGroupId\` must be 1-40 lowercase letters, digits or hyphens, start with a letter, and neither end with a hyphen nor contain two in a row, got "${"a".repeat(41)}"`,
        ],
      ],
      [
        "the engine is older than Redis OSS 7",
        { engineVersion: "6.2" },
        [
          '`engineVersion` must be major.minor and 7.0 or later (ElastiCache IAM authentication needs Redis OSS 7), got "6.2"',
        ],
      ],
      [
        "the node type is not an ElastiCache node type",
        { nodeType: "r7g.large" },
        ['`nodeType` must be an ElastiCache node type like "cache.r7g.large", got "r7g.large"'],
      ],
      [
        "there is no shard",
        { shards: 0 },
        ["`shards` must be a whole number from 1 to 500, got 0"],
      ],
      [
        "there are more than 5 replicas per shard",
        { replicasPerShard: 6 },
        ["`replicasPerShard` must be a whole number from 0 to 5, got 6"],
      ],
      [
        "automatic failover has no replica to promote",
        { replicasPerShard: 0, automaticFailover: true },
        [
          "`automaticFailover` needs a replica to promote: set replicasPerShard ≥ 1, got 0 replicas",
        ],
      ],
      [
        "automatic failover is off in cluster mode",
        { shards: 2, automaticFailover: false, multiAz: false },
        [
          "`automaticFailover` must be true in cluster mode (ElastiCache requires it with more than one shard), got false with 2 shards",
        ],
      ],
      [
        "Multi-AZ has no replica",
        { replicasPerShard: 0, multiAz: true },
        [
          "`multiAz` needs a replica in another zone: set replicasPerShard ≥ 1, got 0 replicas",
          "`multiAz` needs automaticFailover, got automaticFailover false",
        ],
      ],
      [
        "Multi-AZ is on without automatic failover",
        { replicasPerShard: 1, automaticFailover: false, multiAz: true },
        ["`multiAz` needs automaticFailover, got automaticFailover false"],
      ],
      [
        "Multi-AZ has a single zone",
        { network: { ...network, availabilityZones: ["eu-west-1a"] } },
        ["`multiAz` needs at least 2 zones in network.availabilityZones, got 1"],
      ],
      [
        "snapshot retention is above 35 days",
        { snapshotRetentionInDays: 36 },
        ["`snapshotRetentionInDays` must be a whole number from 0 to 35, got 36"],
      ],
      [
        "the snapshot window is not hh:mm-hh:mm",
        { snapshotWindow: "3-4" },
        ['`snapshotWindow` must be hh:mm-hh:mm (UTC), like "02:00-03:00", got "3-4"'],
      ],
      [
        "the maintenance window is not ddd:hh:mm-ddd:hh:mm",
        { maintenanceWindow: "sunday" },
        [
          '`maintenanceWindow` must be ddd:hh:mm-ddd:hh:mm (UTC), like "sun:03:30-sun:04:30", got "sunday"',
        ],
      ],
      [
        "the eviction policy is not one Redis knows",
        { evictionPolicy: "lru" as RedisEvictionPolicy },
        [
          '`evictionPolicy` must be one of allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl, noeviction, got "lru"',
        ],
      ],
      [
        "reserved memory is above 75%",
        { reservedMemoryPercent: 80 },
        ["`reservedMemoryPercent` must be a whole number from 0 to 75, got 80"],
      ],
      [
        "transit encryption is off",
        { transitEncryption: false },
        [
          "`transitEncryption` must be true: ElastiCache RBAC and IAM authentication need TLS, and a cache without authentication would serve every tenant's data to anything in the security group; got false",
        ],
      ],
      [
        "the log retention is not one CloudWatch accepts",
        { logRetentionInDays: 10 },
        [
          "`logRetentionInDays` must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 10",
        ],
      ],
      [
        "the key prefix holds a glob character",
        { keyPrefix: "search*" },
        [
          '`keyPrefix` must be non-empty, without spaces or glob characters (* ? [ ] \\), got "search*"',
        ],
      ],
      [
        "the application user is called default",
        { appUserName: "default" },
        [
          '`appUserName` must be lowercase letters, digits or hyphens starting with a letter, and not "default" (IAM authentication needs user id = user name), got "default"',
        ],
      ],
      [
        "the application user name has upper case",
        { appUserName: "Search_App" },
        [
          '`appUserName` must be lowercase letters, digits or hyphens starting with a letter, and not "default" (IAM authentication needs user id = user name), got "Search_App"',
        ],
      ],
      [
        "no client may connect",
        { clients: [] },
        [
          "`clients` must list at least one security group (nothing could connect otherwise), got none",
        ],
      ],
    ])("fails when %s", (_case, props, messages) => {
      expect(problemsOf(() => build(props))).toEqual(messages);
    });
  });
});
