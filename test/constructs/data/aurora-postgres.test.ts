import { TerraformVariable, Token } from "cdktf";
import { AuroraPostgres, type AuroraPostgresProps } from "../../../constructs";
import { dataKey, jobs, logsKey, network, nodes } from "../../support/references";
import { attributeNames, problemsOf, ref, synth, type TfBlock } from "../../support/synth";

const required: AuroraPostgresProps = {
  network,
  key: dataKey,
  logsKey,
  clients: [nodes],
};

function build(props: Partial<AuroraPostgresProps> = {}) {
  return synth((scope) => new AuroraPostgres(scope, "Database", { ...required, ...props }));
}

/** Instances ordered by identifier (`<cluster>-1` is the writer). */
function instances(s: ReturnType<typeof build>): TfBlock[] {
  return Object.values(s.resources("aws_rds_cluster_instance")).sort((a, b) =>
    a.identifier.localeCompare(b.identifier, "en", { numeric: true }),
  );
}

describe("AuroraPostgres", () => {
  it("works with only its required props", () => {
    // WHEN
    const s = build();

    // THEN safe defaults: one writer and one reader, encrypted, protected, backed up 30 days
    const cluster = s.resource("aws_rds_cluster");
    expect(cluster).toMatchObject({
      cluster_identifier: "test-database",
      engine: "aurora-postgresql",
      engine_version: "16.6",
      database_name: "search",
      master_username: "postgres",
      port: 5432,
      backup_retention_period: 30,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "test-database-final",
      preferred_backup_window: "02:00-03:00",
      preferred_maintenance_window: "sun:03:30-sun:04:30",
      lifecycle: { prevent_destroy: true },
    });
    expect(instances(s).map((i) => [i.identifier, i.instance_class])).toEqual([
      ["test-database-1", "db.r7g.large"],
      ["test-database-2", "db.r7g.large"],
    ]);
    expect(s.resources("aws_appautoscaling_target")).toEqual({});
    expect(s.warnings).toEqual([]);
  });

  it("encrypts storage, Performance Insights and the master secret with its key, logs with the logs key", () => {
    const s = build();

    expect(s.resource("aws_rds_cluster")).toMatchObject({
      storage_encrypted: true,
      kms_key_id: dataKey.arn,
      master_user_secret_kms_key_id: dataKey.arn,
    });
    for (const instance of instances(s)) {
      expect(instance).toMatchObject({
        performance_insights_enabled: true,
        performance_insights_kms_key_id: dataKey.arn,
        performance_insights_retention_period: 7,
      });
    }
    expect(s.resource("aws_cloudwatch_log_group").kms_key_id).toBe(logsKey.arn);
  });

  it("lets RDS manage the master password, so no password is in the synthesized JSON", () => {
    const s = build();

    expect(s.resource("aws_rds_cluster").manage_master_user_password).toBe(true);
    const secretLike = attributeNames(s.tf).filter((name) =>
      /password|secret_string|auth_token/i.test(name),
    );
    expect(secretLike).toEqual(["manage_master_user_password"]);
  });

  it("turns on IAM database authentication", () => {
    expect(build().resource("aws_rds_cluster").iam_database_authentication_enabled).toBe(true);
  });

  it("forces TLS and loads pg_stat_statements through a cluster parameter group", () => {
    const s = build();

    const group = s.resource("aws_rds_cluster_parameter_group");
    expect(group.family).toBe("aurora-postgresql16");
    expect(group.parameter).toEqual(
      expect.arrayContaining([
        { name: "rds.force_ssl", value: "1" },
        {
          name: "shared_preload_libraries",
          value: "pg_stat_statements",
          apply_method: "pending-reboot",
        },
        { name: "log_min_duration_statement", value: "1000" },
        { name: "log_lock_waits", value: "1" },
      ]),
    );
    expect(s.resource("aws_rds_cluster").db_cluster_parameter_group_name).toBe(
      ref("aws_rds_cluster_parameter_group.Database_ParameterGroup_2462DB94.name"),
    );
  });

  it.each([
    ["15.10", "aurora-postgresql15"],
    ["16.6", "aurora-postgresql16"],
    ["17.4", "aurora-postgresql17"],
  ])("derives the parameter group family from engine version %s", (engineVersion, family) => {
    const s = build({ engineVersion });

    expect(s.resource("aws_rds_cluster_parameter_group")).toMatchObject({
      family,
      name: `test-database-${family}`,
    });
  });

  it("logs slow statements from the threshold it is given", () => {
    const s = build({ slowStatementThresholdMs: 250 });

    expect(s.resource("aws_rds_cluster_parameter_group").parameter).toContainEqual({
      name: "log_min_duration_statement",
      value: "250",
    });
  });

  it("admits 5432 only from the clients' security groups, with a description on every rule", () => {
    // GIVEN two clients
    const s = build({ clients: [nodes, jobs] });

    // THEN one ingress rule per client, referencing its group, and nothing else
    const rules = Object.values(s.resources("aws_vpc_security_group_ingress_rule"));
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule).toMatchObject({
        ip_protocol: "tcp",
        from_port: 5432,
        to_port: 5432,
        security_group_id: ref("aws_security_group.Database_SecurityGroup_71981D66.id"),
      });
      expect(rule.description).toMatch(/^PostgreSQL from client security group \d$/);
      expect(rule).not.toHaveProperty("cidr_ipv4");
      expect(rule).not.toHaveProperty("cidr_ipv6");
    }
    expect(rules.map((r) => r.referenced_security_group_id).sort()).toEqual([
      "sg-jobs",
      "sg-nodes",
    ]);
    expect(s.resources("aws_vpc_security_group_egress_rule")).toEqual({});
    const group = s.resource("aws_security_group");
    expect(group).toMatchObject({ vpc_id: network.vpcId, revoke_rules_on_delete: true });
    expect(group).not.toHaveProperty("ingress");
    expect(group).not.toHaveProperty("egress");
    expect(s.resource("aws_rds_cluster").vpc_security_group_ids).toEqual([
      ref("aws_security_group.Database_SecurityGroup_71981D66.id"),
    ]);
  });

  it("places the cluster in the isolated subnets", () => {
    const s = build();

    expect(s.resource("aws_db_subnet_group")).toMatchObject({
      name: "test-database",
      subnet_ids: network.isolatedSubnetIds,
    });
    for (const instance of instances(s)) {
      expect(instance.publicly_accessible).toBe(false);
    }
  });

  it("spreads the writer and readers across the zones in order, with promotion tiers 0, 1, 2, ...", () => {
    // GIVEN more instances than zones
    const s = build({ readers: 3 });

    // THEN zones wrap round and each reader is next in line for promotion
    expect(instances(s).map((i) => [i.identifier, i.availability_zone, i.promotion_tier])).toEqual([
      ["test-database-1", "eu-west-1a", 0],
      ["test-database-2", "eu-west-1b", 1],
      ["test-database-3", "eu-west-1c", 2],
      ["test-database-4", "eu-west-1a", 3],
    ]);
  });

  it("creates the writer before the readers so that the writer is the instance it names", () => {
    const s = build({ readers: 2 });

    const [writer, ...readers] = instances(s);
    expect(writer).not.toHaveProperty("depends_on");
    for (const reader of readers) {
      expect(reader.depends_on).toEqual(["aws_rds_cluster_instance.Database_Writer_2C00925F"]);
    }
  });

  it("configures every instance for production: no public access, minor upgrades, current CA", () => {
    const s = build({ readers: 2 });

    for (const instance of instances(s)) {
      expect(instance).toMatchObject({
        publicly_accessible: false,
        auto_minor_version_upgrade: true,
        ca_cert_identifier: "rds-ca-rsa2048-g1",
        copy_tags_to_snapshot: true,
        preferred_maintenance_window: "sun:03:30-sun:04:30",
      });
    }
    expect(s.resource("aws_rds_cluster").copy_tags_to_snapshot).toBe(true);
  });

  it("exposes its endpoints and identifiers", () => {
    const s = build({ readers: 2 });
    const db = s.built;

    expect(db.clusterIdentifier).toBe("test-database");
    expect(db.instanceIdentifiers).toEqual([
      "test-database-1",
      "test-database-2",
      "test-database-3",
    ]);
    expect(db.writerInstanceIdentifier).toBe("test-database-1");
    expect(db.readerInstanceIdentifiers).toEqual(["test-database-2", "test-database-3"]);
    expect(db.port).toBe(5432);
    expect(db.databaseName).toBe("search");
    expect(db.logGroupName).toBe("/aws/rds/cluster/test-database/postgresql");
    for (const token of [
      db.writerEndpoint,
      db.readerEndpoint,
      db.clusterResourceId,
      db.masterUserSecretArn,
      db.securityGroupId,
    ]) {
      expect(Token.isUnresolved(token)).toBe(true);
    }
  });

  describe("reader autoscaling", () => {
    it("tracks the readers' average CPU between the bounds, with cooldowns", () => {
      const s = build({
        readers: 2,
        readerAutoscaling: { minReaders: 2, maxReaders: 5, targetCpuPercent: 65 },
      });

      expect(s.resource("aws_appautoscaling_target")).toMatchObject({
        service_namespace: "rds",
        scalable_dimension: "rds:cluster:ReadReplicaCount",
        resource_id: `cluster:${ref("aws_rds_cluster.Database_Cluster_C6094C50.cluster_identifier")}`,
        min_capacity: 2,
        max_capacity: 5,
      });
      expect(s.resource("aws_appautoscaling_policy")).toMatchObject({
        name: "test-database-reader-cpu",
        policy_type: "TargetTrackingScaling",
        target_tracking_scaling_policy_configuration: {
          target_value: 65,
          scale_out_cooldown: 300,
          scale_in_cooldown: 900,
          predefined_metric_specification: {
            predefined_metric_type: "RDSReaderAverageCPUUtilization",
          },
        },
      });
    });

    it.each<[number, AuroraPostgresProps["readerAutoscaling"], number]>([
      [2, { minReaders: 2, maxReaders: 5 }, 5],
      [2, undefined, 2],
      [0, undefined, 0],
    ])(
      "reports the most readers the cluster can have (%i provisioned, %o)",
      (readers, readerAutoscaling, maxReaders) => {
        expect(build({ readers, readerAutoscaling }).built.maxReaders).toBe(maxReaders);
      },
    );

    it("takes cooldowns from props", () => {
      const s = build({
        readerAutoscaling: {
          minReaders: 1,
          maxReaders: 3,
          scaleOutCooldownSeconds: 120,
          scaleInCooldownSeconds: 1800,
        },
      });

      expect(
        s.resource("aws_appautoscaling_policy").target_tracking_scaling_policy_configuration,
      ).toMatchObject({ scale_out_cooldown: 120, scale_in_cooldown: 1800, target_value: 60 });
    });

    it("creates no scaling resources when maxReaders is 0", () => {
      const s = build({ readers: 0, readerAutoscaling: { minReaders: 0, maxReaders: 0 } });

      expect(s.resources("aws_appautoscaling_target")).toEqual({});
      expect(s.resources("aws_appautoscaling_policy")).toEqual({});
    });

    it("warns that it cannot scale out from zero readers", () => {
      const s = build({ readers: 0, readerAutoscaling: { minReaders: 0, maxReaders: 2 } });

      expect(s.warnings).toEqual([
        "[AuroraPostgres.AutoscalingWithoutReaders] readerAutoscaling scales on the readers' " +
          "average CPU, which no instance publishes while the cluster has no reader: Aurora Auto " +
          "Scaling will not add the first one. Provision at least one reader (`readers` ≥ 1) or " +
          "set minReaders ≥ 1.",
      ]);
    });
  });

  it.each([
    [true, { skip_final_snapshot: false, final_snapshot_identifier: "test-database-final" }],
    [false, { skip_final_snapshot: true }],
  ])("takes a final snapshot or not (finalSnapshot: %s)", (finalSnapshot, expected) => {
    const cluster = build({ finalSnapshot }).resource("aws_rds_cluster");

    expect(cluster).toMatchObject(expected);
    if (!finalSnapshot) expect(cluster).not.toHaveProperty("final_snapshot_identifier");
  });

  it.each([true, false])("sets deletion protection from props (%s)", (deletionProtection) => {
    expect(build({ deletionProtection }).resource("aws_rds_cluster").deletion_protection).toBe(
      deletionProtection,
    );
  });

  it.each([
    [undefined, { prevent_destroy: true }],
    [true, { prevent_destroy: true }],
    [false, undefined],
  ])(
    "sets prevent_destroy on the cluster and instances (preventDestroy: %s)",
    (preventDestroy, lifecycle) => {
      const s = build({ preventDestroy, readers: 1 });

      for (const resource of [s.resource("aws_rds_cluster"), ...instances(s)]) {
        expect(resource.lifecycle).toEqual(lifecycle);
      }
    },
  );

  describe("enhanced monitoring", () => {
    it("publishes every 60 s by default through a role only RDS of this account may assume", () => {
      const s = build();

      for (const instance of instances(s)) {
        expect(instance).toMatchObject({
          monitoring_interval: 60,
          monitoring_role_arn: ref("aws_iam_role.Database_MonitoringRole_73427386.arn"),
        });
      }
      expect(s.resource("aws_iam_role_policy_attachment")).toEqual({
        role: ref("aws_iam_role.Database_MonitoringRole_73427386.name"),
        policy_arn:
          `arn:${ref("data.aws_partition.Database_Partition_FFC3D69E.partition")}` +
          ":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
      });
      const trust = Object.values(s.dataSources("aws_iam_policy_document"))[0];
      expect(trust.statement).toEqual([
        {
          sid: "EnhancedMonitoringAssumesRole",
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["monitoring.rds.amazonaws.com"] }],
          condition: [
            {
              test: "StringEquals",
              variable: "aws:SourceAccount",
              values: [ref("data.aws_caller_identity.Database_Account_9129EF0F.account_id")],
            },
          ],
        },
      ]);
    });

    it("creates no role when the interval is 0", () => {
      const s = build({ monitoringIntervalSeconds: 0 });

      expect(s.resources("aws_iam_role")).toEqual({});
      for (const instance of instances(s)) {
        expect(instance.monitoring_interval).toBe(0);
        expect(instance).not.toHaveProperty("monitoring_role_arn");
      }
    });
  });

  it("exports the PostgreSQL log into a pre-created, retained log group", () => {
    const s = build({ logRetentionInDays: 365 });

    const cluster = s.resource("aws_rds_cluster");
    expect(cluster.enabled_cloudwatch_logs_exports).toEqual(["postgresql"]);
    expect(cluster.depends_on).toEqual([
      "aws_cloudwatch_log_group.Database_PostgresqlLogGroup_15F9B570",
    ]);
    expect(s.resource("aws_cloudwatch_log_group")).toEqual({
      name: "/aws/rds/cluster/test-database/postgresql",
      retention_in_days: 365,
      kms_key_id: logsKey.arn,
    });
  });

  it("skips values that are unresolved tokens", () => {
    const s = synth((scope) => {
      const retention = new TerraformVariable(scope, "retention", { type: "number" });
      return new AuroraPostgres(scope, "Database", {
        ...required,
        backupRetentionInDays: retention.numberValue,
      });
    });

    expect(s.resource("aws_rds_cluster").backup_retention_period).toBe(ref("var.retention"));
  });

  describe("validation", () => {
    it.each<[string, Partial<AuroraPostgresProps>, string]>([
      [
        "the identifier has upper case",
        { identifier: "Search_DB" },
        '`identifier` must be 1-60 lowercase letters, digits or hyphens, start with a letter, and neither end with a hyphen nor contain two in a row (instance identifiers append "-N"), got "Search_DB"',
      ],
      [
        "the engine version is not major.minor",
        { engineVersion: "16" },
        '`engineVersion` must be major.minor, like "16.6", got "16"',
      ],
      [
        "the instance class is not an RDS class",
        { instanceClass: "r7g.large" },
        '`instanceClass` must be an RDS instance class like "db.r7g.large", got "r7g.large"',
      ],
      [
        "there are more than 15 readers",
        { readers: 16 },
        "`readers` must be a whole number from 0 to 15, got 16",
      ],
      [
        "minReaders is above maxReaders",
        { readers: 2, readerAutoscaling: { minReaders: 3, maxReaders: 2 } },
        "`readerAutoscaling.minReaders` must be ≤ maxReaders (2), got 3",
      ],
      [
        "readers are outside the autoscaling bounds",
        { readers: 1, readerAutoscaling: { minReaders: 2, maxReaders: 5 } },
        "`readers` must be within readerAutoscaling bounds (2-5), got 1",
      ],
      [
        "maxReaders is above 15",
        { readers: 1, readerAutoscaling: { minReaders: 1, maxReaders: 16 } },
        "`readerAutoscaling.maxReaders` must be a whole number from 0 to 15, got 16",
      ],
      [
        "the CPU target is above 90%",
        { readers: 1, readerAutoscaling: { minReaders: 1, maxReaders: 3, targetCpuPercent: 95 } },
        "`readerAutoscaling.targetCpuPercent` must be from 10 to 90, got 95",
      ],
      [
        "a cooldown is negative",
        {
          readers: 1,
          readerAutoscaling: { minReaders: 1, maxReaders: 3, scaleInCooldownSeconds: -1 },
        },
        "`readerAutoscaling.scaleInCooldownSeconds` must be a whole number from 0 to 3600, got -1",
      ],
      [
        "backup retention is 0 days",
        { backupRetentionInDays: 0 },
        "`backupRetentionInDays` must be a whole number from 1 to 35, got 0",
      ],
      [
        "backup retention is above 35 days",
        { backupRetentionInDays: 36 },
        "`backupRetentionInDays` must be a whole number from 1 to 35, got 36",
      ],
      [
        "the Performance Insights retention is not one RDS accepts",
        { performanceInsightsRetentionInDays: 30 },
        "`performanceInsightsRetentionInDays` must be 7, a multiple of 31 up to 713, or 731, got 30",
      ],
      [
        "the monitoring interval is not one RDS accepts",
        { monitoringIntervalSeconds: 45 },
        "`monitoringIntervalSeconds` must be one of 0, 1, 5, 10, 15, 30, 60, got 45",
      ],
      [
        "the log retention is not one CloudWatch accepts",
        { logRetentionInDays: 10 },
        "`logRetentionInDays` must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 10",
      ],
      [
        "the slow-statement threshold is negative",
        { slowStatementThresholdMs: -1 },
        "`slowStatementThresholdMs` must be a whole number of milliseconds ≥ 0, got -1",
      ],
      [
        "the database name has upper case",
        { databaseName: "Search" },
        '`databaseName` must be 1-63 lowercase letters, digits or underscores starting with a letter, got "Search"',
      ],
      [
        "the master user is reserved by RDS",
        { masterUsername: "rdsadmin" },
        '`masterUsername` must be 1-63 lowercase letters, digits or underscores starting with a letter, and not "rdsadmin", got "rdsadmin"',
      ],
      [
        "the backup window is not hh:mm-hh:mm",
        { preferredBackupWindow: "2:00-3:00" },
        '`preferredBackupWindow` must be hh:mm-hh:mm (UTC), like "02:00-03:00", got "2:00-3:00"',
      ],
      [
        "the maintenance window is not ddd:hh:mm-ddd:hh:mm",
        { preferredMaintenanceWindow: "sunday 03:30" },
        '`preferredMaintenanceWindow` must be ddd:hh:mm-ddd:hh:mm (UTC), like "sun:03:30-sun:04:30", got "sunday 03:30"',
      ],
      [
        "no client may connect",
        { clients: [] },
        "`clients` must list at least one security group (nothing could connect otherwise), got none",
      ],
      [
        "the network has a single isolated subnet",
        { network: { ...network, isolatedSubnetIds: ["subnet-iso-a"] } },
        "`network.isolatedSubnetIds` must list subnets in at least 2 zones (a DB subnet group needs 2), got 1",
      ],
    ])("fails when %s", (_case, props, message) => {
      expect(problemsOf(() => build(props))).toEqual([message]);
    });

    it("reports every broken rule at once", () => {
      const error = (() => {
        try {
          build({ readers: 16, backupRetentionInDays: 0, clients: [] });
        } catch (e) {
          return e as Error;
        }
        throw new Error("expected the props to be rejected");
      })();

      expect(error.message).toBe(
        [
          "Invalid props for AuroraPostgres:",
          "  - `readers` must be a whole number from 0 to 15, got 16",
          "  - `backupRetentionInDays` must be a whole number from 1 to 35, got 0",
          "  - `clients` must list at least one security group (nothing could connect otherwise), got none",
        ].join("\n"),
      );
    });
  });
});
