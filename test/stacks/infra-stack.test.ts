import { App, Testing } from "cdktf";
import { loadEnvironments } from "../../stacks/environments";
import { InfraStack } from "../../stacks/infra-stack";

type Resources = Record<string, Record<string, Record<string, unknown>>>;
interface Synthesized {
  resource: Resources;
  output: Record<string, unknown>;
  provider: { aws: { default_tags: { tags: Record<string, string> }[] }[] };
}

const configs = Object.fromEntries(loadEnvironments().map((c) => [c.name, c]));

function synthInfra(env: string): { text: string; json: Synthesized } {
  const app = new App();
  const stack = new InfraStack(app, `search-${env}-infra`, { config: configs[env] });
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as Synthesized };
}

const stacks = Object.fromEntries(["dev", "staging", "prod"].map((env) => [env, synthInfra(env)]));
const of = (env: string, type: string) => Object.values(stacks[env].json.resource[type] ?? {});
const one = (env: string, type: string) => {
  const all = of(env, type);
  expect(all).toHaveLength(1);
  return all[0];
};

describe("InfraStack", () => {
  it.each(["dev", "staging", "prod"])("matches the %s snapshot", (env) => {
    expect(stacks[env].text).toMatchSnapshot();
  });

  it.each([
    ["dev", 1, 1, 2],
    ["staging", 3, 2, 3],
    ["prod", 3, 3, 3],
  ])(
    "gives %s %i NAT gateways, %i database instances in %i zones",
    (env, nats, instances, zones) => {
      expect(of(env, "aws_nat_gateway")).toHaveLength(nats);
      const dbInstances = of(env, "aws_rds_cluster_instance");
      expect(dbInstances).toHaveLength(instances);
      const subnets = of(env, "aws_subnet");
      expect(new Set(subnets.map((s) => s.availability_zone)).size).toBe(zones);
      expect(new Set(dbInstances.map((i) => i.availability_zone)).size).toBe(
        Math.min(instances, zones),
      );
    },
  );

  it.each(["staging", "prod"])("protects %s's stateful resources from destroy", (env) => {
    for (const type of [
      "aws_kms_key",
      "aws_rds_cluster",
      "aws_rds_cluster_instance",
      "aws_elasticache_replication_group",
      "aws_ecr_repository",
    ]) {
      for (const resource of of(env, type)) {
        expect({ type, lifecycle: resource.lifecycle }).toEqual({
          type,
          lifecycle: expect.objectContaining({ prevent_destroy: true }),
        });
      }
    }
    expect(one(env, "aws_rds_cluster")).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
    });
    expect(one(env, "aws_eks_cluster")).toMatchObject({ deletion_protection: true });
  });

  it("lets dev be destroyed", () => {
    expect(one("dev", "aws_rds_cluster")).toMatchObject({
      deletion_protection: false,
      skip_final_snapshot: true,
    });
    for (const key of of("dev", "aws_kms_key"))
      expect(key.lifecycle).not.toEqual(expect.objectContaining({ prevent_destroy: true }));
  });

  it("keeps prod's API endpoint private and dev's behind an allow-list", () => {
    expect(one("prod", "aws_eks_cluster").vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: false,
    });
    expect(one("dev", "aws_eks_cluster").vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ["203.0.113.0/24"],
    });
  });

  it("runs prod's cache with two replicas, failover and multi-AZ, and dev's without", () => {
    expect(one("prod", "aws_elasticache_replication_group")).toMatchObject({
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      num_cache_clusters: 3,
      transit_encryption_enabled: true,
    });
    expect(one("dev", "aws_elasticache_replication_group")).toMatchObject({
      automatic_failover_enabled: false,
      multi_az_enabled: false,
    });
  });

  it("sizes the connections alarm from the instance class's max_connections", () => {
    // prod: db.r7g.xlarge, 32 GiB → max_connections 3357; alarm at 80%. Readers scale out to
    // five, so the writer is alarmed on by instance and the readers by role.
    const connections = of("prod", "aws_cloudwatch_metric_alarm").filter(
      (a) => a.metric_name === "DatabaseConnections",
    );
    expect(connections.map((a) => a.dimensions)).toEqual([
      { DBInstanceIdentifier: "search-prod-1" },
      { DBClusterIdentifier: "search-prod", Role: "READER" },
    ]);
    for (const alarm of connections) expect(alarm.threshold).toBe(Math.floor(3357 * 0.8));
  });

  it("sends every alarm to the environment's encrypted topic", () => {
    const topic = Object.keys(stacks.prod.json.resource.aws_sns_topic)[0];
    expect(one("prod", "aws_sns_topic").kms_master_key_id).toMatch(
      /^\$\{aws_kms_key\.keys_alarms_[A-F0-9]+\.(arn|id)\}$/,
    );
    for (const alarm of of("prod", "aws_cloudwatch_metric_alarm")) {
      expect(alarm.alarm_actions).toEqual([`\${aws_sns_topic.${topic}.arn}`]);
    }
  });

  it.each(["dev", "staging", "prod"])(
    "tags every %s resource with environment, service, owner and compliance preset",
    (env) => {
      const tags = stacks[env].json.provider.aws[0].default_tags[0].tags;
      expect(tags).toMatchObject({
        environment: env,
        service: "search",
        owner: "search-platform",
        "compliance-preset": configs[env].compliance.preset,
      });
    },
  );

  it("exports what the workloads stack and operators need", () => {
    expect(Object.keys(stacks.prod.json.output)).toEqual(
      expect.arrayContaining([
        "cluster-name",
        "image-repository-url",
        "database-writer-endpoint",
        "database-reader-endpoint",
        "alarm-topic-arn",
      ]),
    );
  });

  it("puts no password, token or key material in the JSON", () => {
    for (const env of ["dev", "staging", "prod"]) {
      expect(stacks[env].text).not.toMatch(/"(master_password|auth_token|password|passwords)"\s*:/);
      expect(stacks[env].text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}/);
    }
  });
});
