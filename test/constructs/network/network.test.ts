import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import type { NetworkProps } from "../../../constructs";
import { InvalidPropsError, Network } from "../../../constructs";
import { parseCidr } from "../../../constructs/network/cidr";
import type { TfBlock } from "../../support/synth";
import { problemsOf, ref, synth } from "../../support/synth";
// Types of the cdktf matchers that test/setup.ts registers (a global augmentation).

const logsKey = { arn: "arn:aws:kms:eu-west-1:123456789012:key/logs", keyId: "logs" };
const THREE_ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];

function synthNetwork(props: Partial<NetworkProps> = {}) {
  return synth(
    (scope) =>
      new Network(scope, "network", {
        availabilityZones: THREE_ZONES,
        logsKey,
        cidrBlock: "10.30.0.0/16",
        namePrefix: "search-prod",
        ...props,
      }),
  );
}

/** Terraform address of a resource: `ref(address(...) + ".id")`. */
function address(resources: Record<string, TfBlock>, type: string, block: TfBlock): string {
  const name = Object.entries(resources).find(([, b]) => b === block)?.[0];
  if (!name) throw new Error(`no ${type} in the given set`);
  return `${type}.${name}`;
}

function subnetsOf(s: ReturnType<typeof synthNetwork>, tier: string): TfBlock[] {
  return Object.values(s.resources("aws_subnet")).filter((b) => b.tags["network-tier"] === tier);
}

/** The problems the constructor reported; fails when it accepted the props. */
function problems(props: Partial<NetworkProps>): readonly string[] {
  return problemsOf(() => synthNetwork(props));
}

describe("Network", () => {
  it("works with only its required props", () => {
    // GIVEN only the zones and the logs key
    // WHEN it is synthesized
    const s = synth(
      (scope) =>
        new Network(scope, "network", { availabilityZones: ["eu-west-1a", "eu-west-1b"], logsKey }),
    );
    // THEN a 10.0.0.0/16 VPC with three tiers over two zones, a NAT gateway per zone, flow logs
    expect(s.json).toHaveResourceWithProperties(Vpc, {
      cidr_block: "10.0.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
    });
    expect(Object.keys(s.resources("aws_subnet"))).toHaveLength(6);
    expect(Object.keys(s.resources("aws_nat_gateway"))).toHaveLength(2);
    expect(s.resource("aws_flow_log").traffic_type).toBe("ALL");
    expect(s.warnings).toEqual([]);
  });

  describe("subnets", () => {
    it.each([
      ["public", ["10.30.128.0/20", "10.30.144.0/20", "10.30.160.0/20"]],
      ["private", ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19"]],
      ["isolated", ["10.30.192.0/20", "10.30.208.0/20", "10.30.224.0/20"]],
    ])("puts one %s subnet in each zone, carved from the VPC block", (tier, blocks) => {
      // GIVEN a /16 over three zones
      const s = synthNetwork();
      // THEN the tier has one subnet per zone, in zone order, with the planned blocks
      const subnets = subnetsOf(s, tier);
      expect(subnets.map((b) => b.availability_zone)).toEqual(THREE_ZONES);
      expect(subnets.map((b) => b.cidr_block)).toEqual(blocks);
    });

    it("gives the private tier (pods take VPC addresses) the largest subnets", () => {
      const s = synthNetwork();
      const prefix = (tier: string) =>
        subnetsOf(s, tier).map((b) => parseCidr(b.cidr_block).prefix);
      expect(Math.max(...prefix("private"))).toBeLessThan(Math.min(...prefix("public")));
      expect(Math.max(...prefix("private"))).toBeLessThan(Math.min(...prefix("isolated")));
    });

    it.each([
      ["/16 over 2 zones", "10.0.0.0/16", ["eu-west-1a", "eu-west-1b"]],
      ["/24 over 4 zones", "10.0.0.0/24", ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]],
      [
        "/23 over 6 zones",
        "10.0.0.0/23",
        ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"],
      ],
    ])("carves disjoint subnets inside the VPC block (%s)", (_case, cidrBlock, zones) => {
      const s = synthNetwork({ cidrBlock, availabilityZones: zones });
      const vpc = parseCidr(cidrBlock);
      const blocks = Object.values(s.resources("aws_subnet")).map((b) => parseCidr(b.cidr_block));
      expect(blocks).toHaveLength(zones.length * 3);
      const range = (b: { address: number; prefix: number }) =>
        [b.address, b.address + 2 ** (32 - b.prefix)] as const;
      const [vpcStart, vpcEnd] = range(vpc);
      for (const b of blocks) {
        const [start, end] = range(b);
        expect(start).toBeGreaterThanOrEqual(vpcStart);
        expect(end).toBeLessThanOrEqual(vpcEnd);
        expect(b.prefix).toBeLessThanOrEqual(28);
      }
      const sorted = blocks.map(range).sort((a, b) => a[0] - b[0]);
      sorted.slice(1).forEach(([start], i) => expect(start).toBeGreaterThanOrEqual(sorted[i][1]));
    });

    it("keeps the existing subnets' blocks when a zone is added", () => {
      // GIVEN the same VPC over two, then three zones
      const blocks = (zones: string[]) =>
        Object.values(synthNetwork({ availabilityZones: zones }).resources("aws_subnet"))
          .filter((b) => zones.slice(0, 2).includes(b.availability_zone))
          .map((b) => `${b.tags["network-tier"]} ${b.availability_zone} ${b.cidr_block}`)
          .sort();
      // THEN the first two zones' subnets are unchanged (no replacement on growth)
      expect(blocks(THREE_ZONES)).toEqual(blocks(THREE_ZONES.slice(0, 2)));
    });

    it("never gives an instance a public address by default", () => {
      const s = synthNetwork();
      for (const subnet of Object.values(s.resources("aws_subnet"))) {
        expect(subnet.map_public_ip_on_launch).toBe(false);
      }
    });

    it.each([
      ["public", { "kubernetes.io/role/elb": "1", "kubernetes.io/cluster/search-prod": "shared" }],
      [
        "private",
        {
          "kubernetes.io/role/internal-elb": "1",
          "kubernetes.io/cluster/search-prod": "shared",
          "karpenter.sh/discovery": "search-prod",
        },
      ],
    ])("tags the %s subnets for EKS and the load balancer controller", (tier, tags) => {
      const s = synthNetwork({ clusterName: "search-prod" });
      for (const subnet of subnetsOf(s, tier)) expect(subnet.tags).toMatchObject(tags);
    });

    it("tags load balancer roles but no cluster when no cluster name is given", () => {
      const s = synthNetwork();
      const keys = Object.values(s.resources("aws_subnet")).flatMap((b) => Object.keys(b.tags));
      expect(keys).toContain("kubernetes.io/role/elb");
      expect(keys.filter((k) => k.startsWith("kubernetes.io/cluster/"))).toEqual([]);
      expect(keys).not.toContain("karpenter.sh/discovery");
    });

    it("keeps the isolated subnets free of cluster and load balancer tags", () => {
      const s = synthNetwork({ clusterName: "search-prod" });
      for (const subnet of subnetsOf(s, "isolated")) {
        expect(Object.keys(subnet.tags).sort()).toEqual(["Name", "network-tier"]);
      }
    });
  });

  describe("routing", () => {
    it("routes the public tier to the internet gateway", () => {
      const s = synthNetwork();
      const tables = s.resources("aws_route_table");
      const publicTable = Object.values(tables).find((t) => t.tags.Name === "search-prod-public")!;
      const publicRef = ref(`${address(tables, "aws_route_table", publicTable)}.id`);
      const igw = address(
        s.resources("aws_internet_gateway"),
        "aws_internet_gateway",
        s.resource("aws_internet_gateway"),
      );
      expect(Object.values(s.resources("aws_route"))).toContainEqual(
        expect.objectContaining({
          route_table_id: publicRef,
          destination_cidr_block: "0.0.0.0/0",
          gateway_id: ref(`${igw}.id`),
        }),
      );
    });

    it("gives the isolated subnets no route out of the VPC", () => {
      // GIVEN the synthesized network
      const s = synthNetwork();
      const tables = s.resources("aws_route_table");
      const isolated = Object.values(tables).find((t) => t.tags.Name === "search-prod-isolated")!;
      const isolatedRef = ref(`${address(tables, "aws_route_table", isolated)}.id`);
      // THEN every isolated subnet uses the isolated table ...
      const subnets = s.resources("aws_subnet");
      const isolatedSubnetRefs = subnetsOf(s, "isolated").map((b) =>
        ref(`${address(subnets, "aws_subnet", b)}.id`),
      );
      const associations = Object.values(s.resources("aws_route_table_association"));
      for (const subnetRef of isolatedSubnetRefs) {
        expect(associations.filter((a) => a.subnet_id === subnetRef)).toEqual([
          { subnet_id: subnetRef, route_table_id: isolatedRef },
        ]);
      }
      // ... which has no inline routes and no route resources (only the implicit local route)
      expect(isolated.route).toBeUndefined();
      const routes = Object.values(s.resources("aws_route"));
      expect(routes.filter((r) => r.route_table_id === isolatedRef)).toEqual([]);
    });

    it.each([
      ["one-per-az", 3, [0, 1, 2]],
      ["single", 1, [0, 0, 0]],
    ] as const)(
      "with natGateways %s creates %i NAT gateway(s) and routes each zone's private table to its own",
      (natGateways, count, natOfZone) => {
        // GIVEN three zones and a NAT mode
        const s = synthNetwork({ natGateways });
        // THEN as many NAT gateways and EIPs as the mode says, in the public subnets
        const nats = s.resources("aws_nat_gateway");
        const eips = s.resources("aws_eip");
        expect(Object.keys(nats)).toHaveLength(count);
        expect(Object.keys(eips)).toHaveLength(count);
        for (const eip of Object.values(eips)) expect(eip.domain).toBe("vpc");
        const subnets = s.resources("aws_subnet");
        const publicSubnetRefs = subnetsOf(s, "public").map((b) =>
          ref(`${address(subnets, "aws_subnet", b)}.id`),
        );
        Object.values(nats).forEach((nat, i) => expect(nat.subnet_id).toBe(publicSubnetRefs[i]));
        // AND each zone's private route table sends 0.0.0.0/0 to the expected gateway
        const natRefs = Object.values(nats).map((n) =>
          ref(`${address(nats, "aws_nat_gateway", n)}.id`),
        );
        const tables = s.resources("aws_route_table");
        natOfZone.forEach((natIndex, zone) => {
          const table = Object.values(tables).find(
            (t) => t.tags.Name === `search-prod-private-${THREE_ZONES[zone]}`,
          )!;
          const tableRef = ref(`${address(tables, "aws_route_table", table)}.id`);
          expect(Object.values(s.resources("aws_route"))).toContainEqual({
            route_table_id: tableRef,
            destination_cidr_block: "0.0.0.0/0",
            nat_gateway_id: natRefs[natIndex],
          });
        });
      },
    );

    it("puts an S3 gateway endpoint on every private and the isolated route table", () => {
      const s = synthNetwork();
      const tables = s.resources("aws_route_table");
      const expected = Object.entries(tables)
        .filter(([, t]) => !t.tags.Name.endsWith("-public"))
        .map(([name]) => ref(`aws_route_table.${name}.id`));
      const endpoint = s.resource("aws_vpc_endpoint");
      expect(endpoint.vpc_endpoint_type).toBe("Gateway");
      expect(endpoint.service_name).toMatch(
        /^com\.amazonaws\.\$\{data\.aws_region\.[^}]+\.region\}\.s3$/,
      );
      expect([...endpoint.route_table_ids].sort()).toEqual(expected.sort());
      expect(expected).toHaveLength(4);
      expect(s.json).toHaveResourceWithProperties(VpcEndpoint, { vpc_endpoint_type: "Gateway" });
    });
  });

  it("strips every rule from the VPC's default security group", () => {
    const s = synthNetwork();
    const vpc = address(s.resources("aws_vpc"), "aws_vpc", s.resource("aws_vpc"));
    expect(s.resource("aws_default_security_group")).toMatchObject({
      vpc_id: ref(`${vpc}.id`),
      ingress: [],
      egress: [],
    });
    expect(s.json).toHaveResourceWithProperties(DefaultSecurityGroup, { ingress: [], egress: [] });
  });

  describe("flow logs", () => {
    it("captures all traffic into a KMS-encrypted log group with the given retention", () => {
      // GIVEN a retention
      const s = synthNetwork({ flowLogRetentionInDays: 731 });
      // THEN the log group is encrypted with the logs key and expires
      const groups = s.resources("aws_cloudwatch_log_group");
      const group = s.resource("aws_cloudwatch_log_group");
      expect(group).toMatchObject({
        name: "/aws/vpc/search-prod/flow-logs",
        kms_key_id: logsKey.arn,
        retention_in_days: 731,
      });
      // AND the VPC's flow log sends ALL traffic there
      const groupAddress = address(groups, "aws_cloudwatch_log_group", group);
      const vpc = address(s.resources("aws_vpc"), "aws_vpc", s.resource("aws_vpc"));
      expect(s.json).toHaveResourceWithProperties(FlowLog, {
        vpc_id: ref(`${vpc}.id`),
        traffic_type: "ALL",
        log_destination_type: "cloud-watch-logs",
        log_destination: ref(`${groupAddress}.arn`),
      });
    });

    it("defaults the retention to 365 days", () => {
      expect(synthNetwork().resource("aws_cloudwatch_log_group").retention_in_days).toBe(365);
    });

    it("lets only this account's flow logs assume the delivery role", () => {
      const s = synthNetwork();
      const docs = s.dataSources("aws_iam_policy_document");
      const trust = Object.values(docs).find((d) =>
        d.statement.some((st: TfBlock) => st.sid === "VpcFlowLogsOfThisAccount"),
      )!;
      const [statement] = trust.statement;
      expect(statement.principals).toEqual([
        { type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] },
      ]);
      expect(statement.actions).toEqual(["sts:AssumeRole"]);
      expect(statement.condition).toEqual([
        {
          test: "StringEquals",
          variable: "aws:SourceAccount",
          values: [expect.stringMatching(/^\$\{data\.aws_caller_identity\.[^}]+\.account_id\}$/)],
        },
        {
          test: "ArnLike",
          variable: "aws:SourceArn",
          values: [
            expect.stringMatching(
              /:ec2:\$\{data\.aws_region\.[^}]+\}:\$\{[^}]+\}:vpc-flow-log\/\*$/,
            ),
          ],
        },
      ]);
    });

    it("scopes the delivery role's writes to the flow log group", () => {
      const s = synthNetwork();
      const groupAddress = address(
        s.resources("aws_cloudwatch_log_group"),
        "aws_cloudwatch_log_group",
        s.resource("aws_cloudwatch_log_group"),
      );
      const docs = Object.values(s.dataSources("aws_iam_policy_document"));
      const write = docs
        .flatMap((d) => d.statement as TfBlock[])
        .find((st) => st.sid === "WriteToTheFlowLogGroupOnly")!;
      expect(write.actions).toEqual([
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
      ]);
      expect(write.resources).toEqual([
        ref(`${groupAddress}.arn`),
        `${ref(`${groupAddress}.arn`)}:*`,
      ]);
      // No statement of the role allows writing anywhere else.
      const writes = docs
        .flatMap((d) => d.statement as TfBlock[])
        .filter((st) => st.actions.some((a: string) => a === "logs:PutLogEvents"));
      expect(writes).toHaveLength(1);
    });

    it("warns when flow logs are turned off on a VPC it creates", () => {
      const s = synthNetwork({ flowLogs: false });
      expect(Object.keys(s.resources("aws_flow_log"))).toEqual([]);
      expect(s.warnings).toEqual([
        "[search-platform:network:flow-logs-off] flow logs are off for a VPC this construct creates; network forensics and most compliance frameworks expect them",
      ]);
    });
  });

  describe("with an existing VPC", () => {
    const existing = {
      vpcId: "vpc-0abc",
      vpcCidr: "10.50.0.0/16",
      publicSubnetIds: ["subnet-p1", "subnet-p2", "subnet-p3"],
      privateSubnetIds: ["subnet-q1", "subnet-q2", "subnet-q3"],
      isolatedSubnetIds: ["subnet-i1", "subnet-i2", "subnet-i3"],
    };

    it("creates nothing and exposes the given VPC and subnets", () => {
      // GIVEN an existing VPC and no cidrBlock
      const s = synth(
        (scope) =>
          new Network(scope, "network", { availabilityZones: THREE_ZONES, logsKey, existing }),
      );
      // THEN no resource at all (flow logs stay with the VPC's owner by default)
      expect(s.tf.resource ?? {}).toEqual({});
      // AND the reference fields are the given ones
      expect(s.built).toMatchObject({
        vpcId: "vpc-0abc",
        vpcCidr: "10.50.0.0/16",
        availabilityZones: THREE_ZONES,
        publicSubnetIds: existing.publicSubnetIds,
        privateSubnetIds: existing.privateSubnetIds,
        isolatedSubnetIds: existing.isolatedSubnetIds,
        natPublicIps: [],
      });
      expect(s.built.flowLogGroupName).toBeUndefined();
    });

    it("adds encrypted flow logs to it when asked", () => {
      const s = synth(
        (scope) =>
          new Network(scope, "network", {
            availabilityZones: THREE_ZONES,
            logsKey,
            existing,
            flowLogs: true,
          }),
      );
      expect(s.json).toHaveResourceWithProperties(FlowLog, {
        vpc_id: "vpc-0abc",
        traffic_type: "ALL",
      });
      expect(s.resource("aws_cloudwatch_log_group").kms_key_id).toBe(logsKey.arn);
      expect(Object.keys(s.resources("aws_subnet"))).toEqual([]);
      expect(s.warnings).toEqual([]);
    });
  });

  describe("validation", () => {
    it.each<[string, Partial<NetworkProps>, string]>([
      [
        "fails when fewer than two zones are given",
        { availabilityZones: ["eu-west-1a"] },
        "`availabilityZones` must list 2 to 6 zones, got 1",
      ],
      [
        "fails when a zone repeats",
        { availabilityZones: ["eu-west-1a", "eu-west-1a"] },
        "`availabilityZones` must not repeat a zone, got [eu-west-1a, eu-west-1a]",
      ],
      [
        "fails when the VPC block is not a CIDR block",
        { cidrBlock: "10.0.0/16" },
        '`cidrBlock` must be an IPv4 CIDR block like 10.0.0.0/16, got "10.0.0/16"',
      ],
      [
        "fails when the VPC block has host bits set",
        { cidrBlock: "10.0.0.1/16" },
        '`cidrBlock` must be the first address of its /16 block (host bits are set), got "10.0.0.1/16"',
      ],
      [
        "fails when the VPC block is larger than /16",
        { cidrBlock: "10.0.0.0/12" },
        "`cidrBlock` must have a prefix between /16 and /24, got /12",
      ],
      [
        "fails when the VPC block is too small for the zones",
        {
          cidrBlock: "10.0.0.0/24",
          availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e"],
        },
        "`cidrBlock` /24 is too small for 5 zones: public and isolated subnets would be /29, smaller than the /28 AWS allows; use /23 or larger",
      ],
      [
        "fails when the NAT mode is unknown",
        { natGateways: "none" as never },
        '`natGateways` must be "one-per-az" or "single", got "none"',
      ],
      [
        "fails when the flow log retention is not one CloudWatch accepts",
        { flowLogRetentionInDays: 100 },
        "`flowLogRetentionInDays` must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 100",
      ],
      [
        "fails when the cluster name is not an EKS cluster name",
        { clusterName: "search prod" },
        '`clusterName` must be an EKS cluster name (1-100 letters, digits, "-" or "_", starting with a letter or digit), got "search prod"',
      ],
      [
        "fails when the name prefix has characters names cannot hold",
        { namePrefix: "Search_Prod" },
        '`namePrefix` must be 1-54 lowercase letters, digits or "-", got "Search_Prod"',
      ],
    ])("%s", (_name, props, message) => {
      expect(problems(props)).toEqual([message]);
    });

    it("fails when cidrBlock is given with an existing VPC", () => {
      expect(
        problems({
          existing: {
            vpcId: "vpc-1",
            vpcCidr: "10.50.0.0/16",
            publicSubnetIds: ["a", "b", "c"],
            privateSubnetIds: ["d", "e", "f"],
            isolatedSubnetIds: ["g", "h", "i"],
          },
        }),
      ).toEqual(["`cidrBlock` must not be set with `existing` (the existing VPC has its block)"]);
    });

    it("fails when an existing tier does not have one subnet per zone, or its block is invalid", () => {
      expect(
        problems({
          cidrBlock: undefined,
          existing: {
            vpcId: "vpc-1",
            vpcCidr: "10.50.0.0",
            publicSubnetIds: ["a", "b", "c"],
            privateSubnetIds: ["d", "e"],
            isolatedSubnetIds: ["g", "h", "i", "j"],
          },
        }),
      ).toEqual([
        '`existing.vpcCidr` must be an IPv4 CIDR block like 10.0.0.0/16, got "10.50.0.0"',
        "`existing.privateSubnetIds` must name one subnet per availability zone (3), got 2",
        "`existing.isolatedSubnetIds` must name one subnet per availability zone (3), got 4",
      ]);
    });

    it("reports every broken rule at once, naming the construct", () => {
      expect(() =>
        synthNetwork({ availabilityZones: ["eu-west-1a"], natGateways: "many" as never }),
      ).toThrow(
        new InvalidPropsError("Network", [
          "`availabilityZones` must list 2 to 6 zones, got 1",
          '`natGateways` must be "one-per-az" or "single", got "many"',
        ]),
      );
      expect(() =>
        synthNetwork({ availabilityZones: ["eu-west-1a"], natGateways: "many" as never }),
      ).toThrow(
        'Invalid props for Network:\n  - `availabilityZones` must list 2 to 6 zones, got 1\n  - `natGateways` must be "one-per-az" or "single", got "many"',
      );
    });
  });
});
