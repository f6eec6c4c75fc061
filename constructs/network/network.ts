import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Annotations } from "cdktf";
import { Construct } from "constructs";
import type { KeyReference, NetworkReference, PropRule } from "../core";
import { isKnown, resourceName, validateProps } from "../core";
import { logRetentionRule } from "../observability/log-retention";
import { cidrProblem, formatCidr, parseCidr, subBlock } from "./cidr";

/** Where private subnets send traffic bound for the internet. */
export type NatGatewayMode = "one-per-az" | "single";

/** A VPC and subnets made elsewhere, used instead of creating them. */
export interface ExistingNetworkAttributes {
  /** The VPC's id, `vpc-...`. */
  readonly vpcId: string;
  /** The VPC's primary IPv4 block. */
  readonly vpcCidr: string;
  /**
   * One subnet per availability zone, in the order of `availabilityZones`, with a route to an
   * internet gateway. For the AWS Load Balancer Controller they must carry
   * `kubernetes.io/role/elb=1` (and `kubernetes.io/cluster/<cluster>=shared`): this construct
   * does not tag subnets it does not own.
   */
  readonly publicSubnetIds: readonly string[];
  /**
   * One subnet per availability zone with egress through NAT, for nodes and pods; tagged
   * `kubernetes.io/role/internal-elb=1` by their owner.
   */
  readonly privateSubnetIds: readonly string[];
  /** One subnet per availability zone with no route out of the VPC, for data stores. */
  readonly isolatedSubnetIds: readonly string[];
}

export interface NetworkProps {
  /**
   * The zones to spread over, e.g. `["eu-west-1a", "eu-west-1b", "eu-west-1c"]`; one subnet per
   * zone in each tier. 2 to 6 zones (EKS needs subnets in at least two).
   */
  readonly availabilityZones: readonly string[];
  /** KMS key of the flow log group (its key policy must admit CloudWatch Logs). */
  readonly logsKey: KeyReference;
  /**
   * The VPC's IPv4 block, /16 to /24. The private tier (nodes and pods, which take VPC
   * addresses with the VPC CNI) gets half of it; the public and isolated tiers a quarter each.
   * Ignored with `existing`.
   * @default "10.0.0.0/16"
   */
  readonly cidrBlock?: string;
  /**
   * `"one-per-az"` keeps egress up when a zone is lost; `"single"` costs one gateway and its
   * hourly charge, and makes every private subnet depend on the first zone.
   * @default "one-per-az"
   */
  readonly natGateways?: NatGatewayMode;
  /**
   * Retention of the flow log group: one of the values CloudWatch Logs accepts (1, 3, 5, 7,
   * 14, 30, 60, 90, ... 3653).
   * @default 365
   * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
   */
  readonly flowLogRetentionInDays?: number;
  /**
   * Capture all traffic of the VPC to an encrypted log group. Turning them off on a VPC this
   * construct creates is allowed but raises a warning: auditors expect them.
   * @default - true when this construct creates the VPC; false for an `existing` VPC, whose
   * owner runs its flow logs (a VPC takes at most two flow logs, so adding one can fail)
   */
  readonly flowLogs?: boolean;
  /**
   * EKS cluster that will use the subnets: adds `kubernetes.io/cluster/<name>=shared` to the
   * public and private subnets and `karpenter.sh/discovery=<name>` to the private ones.
   * @default - no cluster tags (the role tags for load balancers are always set)
   */
  readonly clusterName?: string;
  /**
   * Use this VPC and these subnets instead of creating them: the construct then creates
   * nothing (unless `flowLogs` is true) and exposes the same fields.
   * @default - a new VPC with three tiers of subnets
   */
  readonly existing?: ExistingNetworkAttributes;
  /**
   * Prefix of resource names and `Name` tags.
   * @default - the construct's path (`resourceName`), e.g. "search-prod-infra-network"
   */
  readonly namePrefix?: string;
}

const ALLOWED_NAT_MODES: readonly NatGatewayMode[] = ["one-per-az", "single"];
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** Leaves room for the longest suffix in an IAM role name (64): "-flow-logs". */
const NAME_PREFIX_MAX = 54;
/** AWS does not create subnets smaller than /28. */
const SMALLEST_SUBNET_PREFIX = 28;

/**
 * A VPC across the given availability zones with three tiers of subnets, one per zone each:
 *
 * - public: route to the internet gateway; load balancers and the NAT gateways live here;
 * - private: egress through NAT; cluster nodes and pods;
 * - isolated: no route out of the VPC; Aurora and ElastiCache.
 *
 * Subnet blocks are carved from `cidrBlock` at synth time: the private tier takes the first
 * half, public the third quarter, isolated the last. Each tier is cut into 4 equal slots (8 for
 * more than 4 zones), so adding a zone later does not renumber the existing subnets.
 *
 * Also: flow logs (ALL traffic) to a KMS-encrypted log group, the VPC's default security group
 * stripped of every rule, and an S3 gateway endpoint on the private and isolated route tables
 * (ECR image layers come from S3, so pulls stay off NAT).
 */
export class Network extends Construct implements NetworkReference {
  public readonly vpcId: string;
  public readonly vpcCidr: string;
  public readonly availabilityZones: readonly string[];
  public readonly publicSubnetIds: readonly string[];
  public readonly privateSubnetIds: readonly string[];
  public readonly isolatedSubnetIds: readonly string[];
  /** Public addresses of the NAT gateways (for partners' allow-lists); empty for `existing`. */
  public readonly natPublicIps: readonly string[];
  /** Name of the flow log group, when flow logs are on. */
  public readonly flowLogGroupName?: string;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const existing = props.existing;
    const cidrBlock = props.cidrBlock ?? "10.0.0.0/16";
    const natGateways = props.natGateways ?? "one-per-az";
    const flowLogRetentionInDays = props.flowLogRetentionInDays ?? 365;
    const flowLogs = props.flowLogs ?? existing === undefined;
    const namePrefix = props.namePrefix ?? resourceName(this, undefined, NAME_PREFIX_MAX);
    const zones = props.availabilityZones;

    validateProps("Network", [
      ...zoneRules(zones),
      ...(existing ? existingRules(existing, zones.length) : cidrRules(cidrBlock, zones.length)),
      {
        violated: existing !== undefined && props.cidrBlock !== undefined,
        message: "`cidrBlock` must not be set with `existing` (the existing VPC has its block)",
      },
      {
        violated: !ALLOWED_NAT_MODES.includes(natGateways),
        message: `\`natGateways\` must be "one-per-az" or "single", got "${natGateways}"`,
      },
      logRetentionRule("flowLogRetentionInDays", flowLogRetentionInDays),
      {
        violated:
          isKnown(namePrefix) &&
          (!/^[a-z0-9][a-z0-9-]*$/.test(namePrefix) || namePrefix.length > NAME_PREFIX_MAX),
        message: `\`namePrefix\` must be 1-${NAME_PREFIX_MAX} lowercase letters, digits or "-", got "${namePrefix}"`,
      },
      {
        violated:
          props.clusterName !== undefined &&
          isKnown(props.clusterName) &&
          !CLUSTER_NAME.test(props.clusterName),
        message: `\`clusterName\` must be an EKS cluster name (1-100 letters, digits, "-" or "_", starting with a letter or digit), got "${props.clusterName}"`,
      },
    ]);

    this.availabilityZones = [...zones];

    if (existing) {
      this.vpcId = existing.vpcId;
      this.vpcCidr = existing.vpcCidr;
      this.publicSubnetIds = [...existing.publicSubnetIds];
      this.privateSubnetIds = [...existing.privateSubnetIds];
      this.isolatedSubnetIds = [...existing.isolatedSubnetIds];
      this.natPublicIps = [];
    } else {
      const created = this.createVpc(namePrefix, cidrBlock, zones, natGateways, props.clusterName);
      this.vpcId = created.vpcId;
      this.vpcCidr = created.vpcCidr;
      this.publicSubnetIds = created.publicSubnetIds;
      this.privateSubnetIds = created.privateSubnetIds;
      this.isolatedSubnetIds = created.isolatedSubnetIds;
      this.natPublicIps = created.natPublicIps;
      if (!flowLogs) {
        Annotations.of(this).addWarning(
          "[search-platform:network:flow-logs-off] flow logs are off for a VPC this construct creates; " +
            "network forensics and most compliance frameworks expect them",
        );
      }
    }

    if (flowLogs) {
      this.flowLogGroupName = this.createFlowLogs(
        namePrefix,
        props.logsKey,
        flowLogRetentionInDays,
      );
    }
  }

  private regionData?: DataAwsRegion;

  /** The provider's region, read once (both the endpoint and the flow log role need it). */
  private get region(): DataAwsRegion {
    this.regionData ??= new DataAwsRegion(this, "region");
    return this.regionData;
  }

  private createVpc(
    namePrefix: string,
    cidrBlock: string,
    zones: readonly string[],
    natMode: NatGatewayMode,
    clusterName: string | undefined,
  ) {
    const vpc = new Vpc(this, "vpc", {
      cidrBlock,
      // EKS needs both: nodes register by private DNS name, endpoints resolve privately.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: namePrefix },
    });

    // A new VPC's default security group admits all traffic between its members and all egress.
    // Adopting it with no rules empties it, so nothing can fall back on it (CIS AWS 5.4).
    new DefaultSecurityGroup(this, "default-security-group", {
      vpcId: vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${namePrefix}-default-deny-all` },
    });

    const igw = new InternetGateway(this, "internet-gateway", {
      vpcId: vpc.id,
      tags: { Name: namePrefix },
    });

    const plan = planSubnets(cidrBlock, zones.length);
    const clusterTags: Record<string, string> = clusterName
      ? { [`kubernetes.io/cluster/${clusterName}`]: "shared" }
      : {};
    const karpenterTags: Record<string, string> = clusterName
      ? { "karpenter.sh/discovery": clusterName }
      : {};

    const subnets = (tier: "public" | "private" | "isolated", tags: Record<string, string>) =>
      zones.map(
        (zone, i) =>
          new Subnet(this, `${tier}-subnet-${i}`, {
            vpcId: vpc.id,
            availabilityZone: zone,
            cidrBlock: plan[tier][i],
            // Nothing here should get a public address by accident; NAT gateways and load
            // balancers bring their own.
            mapPublicIpOnLaunch: false,
            tags: { Name: `${namePrefix}-${tier}-${zone}`, "network-tier": tier, ...tags },
          }),
      );
    const publicSubnets = subnets("public", { "kubernetes.io/role/elb": "1", ...clusterTags });
    const privateSubnets = subnets("private", {
      "kubernetes.io/role/internal-elb": "1",
      ...clusterTags,
      ...karpenterTags,
    });
    const isolatedSubnets = subnets("isolated", {});

    const publicRouteTable = new RouteTable(this, "public-route-table", {
      vpcId: vpc.id,
      tags: { Name: `${namePrefix}-public` },
    });
    new Route(this, "public-default-route", {
      routeTableId: publicRouteTable.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: igw.id,
    });
    publicSubnets.forEach(
      (subnet, i) =>
        new RouteTableAssociation(this, `public-route-table-association-${i}`, {
          subnetId: subnet.id,
          routeTableId: publicRouteTable.id,
        }),
    );

    const natCount = natMode === "single" ? 1 : zones.length;
    const nats = publicSubnets.slice(0, natCount).map((subnet, i) => {
      const eip = new Eip(this, `nat-eip-${i}`, {
        domain: "vpc",
        tags: { Name: `${namePrefix}-nat-${zones[i]}` },
        dependsOn: [igw],
      });
      return {
        eip,
        gateway: new NatGateway(this, `nat-gateway-${i}`, {
          allocationId: eip.allocationId,
          subnetId: subnet.id,
          connectivityType: "public",
          tags: { Name: `${namePrefix}-${zones[i]}` },
          dependsOn: [igw],
        }),
      };
    });

    // One private route table per zone even with a single NAT gateway: switching modes then
    // changes routes, not tables and associations.
    const privateRouteTables = privateSubnets.map((subnet, i) => {
      const table = new RouteTable(this, `private-route-table-${i}`, {
        vpcId: vpc.id,
        tags: { Name: `${namePrefix}-private-${zones[i]}` },
      });
      new Route(this, `private-default-route-${i}`, {
        routeTableId: table.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: nats[natMode === "single" ? 0 : i].gateway.id,
      });
      new RouteTableAssociation(this, `private-route-table-association-${i}`, {
        subnetId: subnet.id,
        routeTableId: table.id,
      });
      return table;
    });

    // The isolated tier has only the implicit local route (and the S3 endpoint's prefix list).
    const isolatedRouteTable = new RouteTable(this, "isolated-route-table", {
      vpcId: vpc.id,
      tags: { Name: `${namePrefix}-isolated` },
    });
    isolatedSubnets.forEach(
      (subnet, i) =>
        new RouteTableAssociation(this, `isolated-route-table-association-${i}`, {
          subnetId: subnet.id,
          routeTableId: isolatedRouteTable.id,
        }),
    );

    // Gateway endpoints are free; ECR serves image layers from S3, so pulls skip NAT charges.
    new VpcEndpoint(this, "s3-gateway-endpoint", {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${this.region.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: [...privateRouteTables.map((t) => t.id), isolatedRouteTable.id],
      tags: { Name: `${namePrefix}-s3` },
    });

    return {
      vpcId: vpc.id,
      vpcCidr: vpc.cidrBlock,
      publicSubnetIds: publicSubnets.map((s) => s.id),
      privateSubnetIds: privateSubnets.map((s) => s.id),
      isolatedSubnetIds: isolatedSubnets.map((s) => s.id),
      natPublicIps: nats.map((n) => n.eip.publicIp),
    };
  }

  private createFlowLogs(namePrefix: string, key: KeyReference, retentionInDays: number): string {
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const region = this.region;

    const logGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: `/aws/vpc/${namePrefix}/flow-logs`,
      kmsKeyId: key.arn,
      retentionInDays,
      tags: { Name: `${namePrefix}-flow-logs` },
    });

    const trust = new DataAwsIamPolicyDocument(this, "flow-log-trust-policy", {
      statement: [
        {
          sid: "VpcFlowLogsOfThisAccount",
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
          // Confused-deputy guard: only flow logs of this account may assume the role.
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
            {
              test: "ArnLike",
              variable: "aws:SourceArn",
              values: [
                `arn:${partition.partition}:ec2:${region.region}:${account.accountId}:vpc-flow-log/*`,
              ],
            },
          ],
        },
      ],
    });
    const role = new IamRole(this, "flow-log-role", {
      name: `${namePrefix}-flow-logs`,
      description: `Delivers the flow logs of ${namePrefix} to ${logGroup.name}`,
      assumeRolePolicy: trust.json,
    });
    const permissions = new DataAwsIamPolicyDocument(this, "flow-log-delivery-policy", {
      statement: [
        {
          sid: "WriteToTheFlowLogGroupOnly",
          effect: "Allow",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
        {
          // The delivery service checks the group exists; describing names is read-only.
          sid: "FindTheFlowLogGroup",
          effect: "Allow",
          actions: ["logs:DescribeLogGroups"],
          resources: [
            `arn:${partition.partition}:logs:${region.region}:${account.accountId}:log-group:*`,
          ],
        },
      ],
    });
    new IamRolePolicy(this, "flow-log-delivery", {
      name: "deliver-flow-logs",
      role: role.id,
      policy: permissions.json,
    });

    new FlowLog(this, "flow-log", {
      vpcId: this.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      tags: { Name: namePrefix },
    });
    return logGroup.name;
  }
}

/**
 * Subnet blocks per tier and zone: private in the first half of the VPC, public in the third
 * quarter, isolated in the fourth; each tier cut into 4 slots (8 beyond 4 zones).
 */
function planSubnets(cidrBlock: string, zoneCount: number) {
  const vpc = parseCidr(cidrBlock);
  const bits = slotBits(zoneCount);
  const tier = (prefix: number, index: number) => {
    const block = subBlock(vpc, prefix, index);
    return Array.from({ length: zoneCount }, (_, i) =>
      formatCidr(subBlock(block, prefix + bits, i)),
    );
  };
  return {
    private: tier(vpc.prefix + 1, 0),
    public: tier(vpc.prefix + 2, 2),
    isolated: tier(vpc.prefix + 2, 3),
  };
}

function slotBits(zoneCount: number): number {
  return zoneCount <= 4 ? 2 : 3;
}

function zoneRules(zones: readonly string[]): PropRule[] {
  const known = zones.filter((z) => isKnown(z));
  const repeated = known.filter((z, i) => known.indexOf(z) !== i);
  return [
    {
      violated: zones.length < 2 || zones.length > 6,
      message: `\`availabilityZones\` must list 2 to 6 zones, got ${zones.length}`,
    },
    {
      violated: repeated.length > 0,
      message: `\`availabilityZones\` must not repeat a zone, got [${zones.join(", ")}]`,
    },
  ];
}

function cidrRules(cidrBlock: string, zoneCount: number): PropRule[] {
  if (!isKnown(cidrBlock)) return [];
  const problem = cidrProblem(cidrBlock);
  if (problem) return [{ violated: true, message: `\`cidrBlock\` ${problem}` }];
  const prefix = parseCidr(cidrBlock).prefix;
  const smallest = prefix + 2 + slotBits(zoneCount);
  return [
    {
      violated: prefix < 16 || prefix > 24,
      message: `\`cidrBlock\` must have a prefix between /16 and /24, got /${prefix}`,
    },
    {
      violated: prefix >= 16 && prefix <= 24 && smallest > SMALLEST_SUBNET_PREFIX,
      message: `\`cidrBlock\` /${prefix} is too small for ${zoneCount} zones: public and isolated subnets would be /${smallest}, smaller than the /${SMALLEST_SUBNET_PREFIX} AWS allows; use /${SMALLEST_SUBNET_PREFIX - 2 - slotBits(zoneCount)} or larger`,
    },
  ];
}

function existingRules(existing: ExistingNetworkAttributes, zoneCount: number): PropRule[] {
  const tiers = ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"] as const;
  const vpcCidrProblem = isKnown(existing.vpcCidr) ? cidrProblem(existing.vpcCidr) : undefined;
  return [
    {
      violated: vpcCidrProblem !== undefined,
      message: `\`existing.vpcCidr\` ${vpcCidrProblem}`,
    },
    ...tiers.map((tier) => ({
      // A list passed as one token (e.g. from remote state) has an unknown length.
      violated: isKnown(existing[tier]) && existing[tier].length !== zoneCount,
      message: `\`existing.${tier}\` must name one subnet per availability zone (${zoneCount}), got ${existing[tier].length}`,
    })),
  ];
}
