import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import type { EksAddonConfig } from "@cdktf/provider-aws/lib/eks-addon";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster as EksClusterResource } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { KeyReference, NetworkReference, PropRule, SecurityGroupReference } from "../core";
import { isKnown, resourceName, validateProps } from "../core";
import { cidrProblem } from "../network/cidr";
import { logRetentionRule } from "../observability/log-retention";
import { PodIdentityRole } from "./pod-identity-role";

/** CPU architecture of a node group; picks the AL2023 AMI type. */
export type CpuArchitecture = "x86_64" | "arm64";

/** One EKS managed node group. */
export interface EksNodeGroupOptions {
  /**
   * Short name, unique in the cluster: lowercase letters, digits and dashes. The node group is
   * named `<cluster>-<name>-<random suffix>` so that a replacement can be created before the
   * old group is destroyed.
   */
  readonly name: string;
  /** EC2 instance types, all of one CPU architecture, e.g. `["m7i.xlarge", "m6i.xlarge"]`. */
  readonly instanceTypes: readonly string[];
  /**
   * @default "ON_DEMAND"
   */
  readonly capacityType?: "ON_DEMAND" | "SPOT";
  /** Fewest nodes. */
  readonly minSize: number;
  /** Most nodes. */
  readonly maxSize: number;
  /**
   * Nodes at creation. Afterwards the cluster autoscaler owns it: Terraform ignores changes.
   * @default - minSize
   */
  readonly desiredSize?: number;
  /**
   * Root volume size (gp3, encrypted with `nodeVolumeKey`).
   * @default 50
   */
  readonly diskSizeGiB?: number;
  /**
   * Kubernetes labels on the nodes.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * CPU architecture: AL2023 x86_64 or AL2023 ARM AMIs.
   * @default - arm64 for Graviton families (m7g, c7gn, t4g, ...), x86_64 otherwise
   */
  readonly cpuArchitecture?: CpuArchitecture;
  /**
   * Share of nodes replaced at once during a node group update, 1-100.
   * @default 33
   */
  readonly maxUnavailablePercentage?: number;
}

/**
 * Pinned versions of the EKS add-ons, e.g. `v1.20.4-eksbuild.1`. List what a Kubernetes
 * version supports with `aws eks describe-addon-versions --kubernetes-version 1.34`.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/workloads-add-ons-available-eks.html
 */
export interface EksAddonVersions {
  readonly vpcCni: string;
  readonly coredns: string;
  readonly kubeProxy: string;
  readonly podIdentityAgent: string;
  readonly ebsCsiDriver: string;
  /**
   * amazon-cloudwatch-observability: the CloudWatch agent (Container Insights node and pod
   * metrics, which `PlatformAlarms`' node alarms read) and Fluent Bit (container logs).
   * @default - not installed: no Container Insights metrics and no container logs in CloudWatch
   */
  readonly cloudWatchObservability?: string;
}

export interface EksClusterProps {
  /** The VPC: the control plane and the nodes go in its private subnets. */
  readonly network: NetworkReference;
  /**
   * Kubernetes version, e.g. "1.34". No default: an upgrade is a deliberate change, never a
   * side effect of upgrading this library.
   * @see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
   */
  readonly version: string;
  /** Envelope encryption of Kubernetes secrets. */
  readonly secretsKey: KeyReference;
  /**
   * Encrypts the nodes' root volumes (and the EBS CSI driver may use it for persistent
   * volumes). Its key policy must admit the Auto Scaling service-linked role
   * `AWSServiceRoleForAutoScaling`, or the nodes fail to launch (`PlatformKeys.nodeVolumes`
   * does).
   */
  readonly nodeVolumeKey: KeyReference;
  /** Encrypts the control-plane log group. */
  readonly logsKey: KeyReference;
  /** Pinned add-on versions. */
  readonly addons: EksAddonVersions;
  /**
   * Cluster name.
   * @default - the construct's path (`resourceName`), e.g. "search-prod-infra-cluster"
   */
  readonly name?: string;
  /**
   * Managed node groups, spread over the private subnets.
   * @default - one on-demand group "general" of m7i.large, 2 to 6 nodes
   */
  readonly nodeGroups?: readonly EksNodeGroupOptions[];
  /**
   * Serve the Kubernetes API on a public endpoint as well as the private one (which is always
   * on). Needs `endpointPublicAccessCidrs`.
   * @default false
   */
  readonly endpointPublicAccess?: boolean;
  /**
   * Who may reach the public endpoint; at least one block when it is on, never a /0.
   * @default []
   */
  readonly endpointPublicAccessCidrs?: readonly string[];
  /**
   * IAM roles or users given cluster-admin through access entries
   * (`AmazonEKSClusterAdminPolicy`). The cluster creator gets no implicit access: list the role
   * that deploys workloads here.
   * @default []
   */
  readonly adminPrincipalArns?: readonly string[];
  /**
   * Retention of the control-plane log group: one of the values CloudWatch Logs accepts.
   * @default 90
   */
  readonly logRetentionInDays?: number;
  /**
   * EKS deletion protection: the API refuses to delete the cluster while it is on.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/** Node group options with defaults applied; "mixed" when inferred from mixed instance types. */
type ResolvedNodeGroup = Required<Omit<EksNodeGroupOptions, "cpuArchitecture">> & {
  readonly cpuArchitecture: CpuArchitecture | "mixed";
};

/** A node group of the cluster, for alarms on its Auto Scaling group. */
export interface EksNodeGroupInfo {
  readonly name: string;
  readonly autoscalingGroupName: string;
}

const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
const DEFAULT_NODE_GROUPS: readonly EksNodeGroupOptions[] = [
  { name: "general", instanceTypes: ["m7i.large"], minSize: 2, maxSize: 6 },
];
const AMI_TYPES: Record<CpuArchitecture, string> = {
  x86_64: "AL2023_x86_64_STANDARD",
  arm64: "AL2023_ARM_64_STANDARD",
};
/** Graviton families: a "g" right after the generation digit (m7g, c7gn, r8gd, t4g), and a1. */
const GRAVITON_FAMILY = /^(a1|[a-z]+\d+g[a-z]*)$/;
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const NODE_GROUP_NAME = /^[a-z][a-z0-9-]*$/;
const INSTANCE_TYPE = /^[a-z0-9-]+\.[a-z0-9-]+$/;
const ADDON_VERSION = /^v\d+\.\d+\.\d+-eksbuild\.\d+$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/;
/** Terraform appends a 26-character suffix to a name prefix; node group names stop at 63. */
const NODE_GROUP_PREFIX_MAX = 63 - 26;

/**
 * An EKS cluster with managed node groups, built the way the platform runs it:
 *
 * - access through EKS access entries only (`authenticationMode = "API"`), no implicit admin
 *   for the creator, cluster-admin for the listed principals;
 * - Kubernetes secrets envelope-encrypted with a customer-managed key;
 * - all five control-plane log types, into `/aws/eks/<name>/cluster`, created beforehand with
 *   KMS encryption and a retention (EKS would create it unencrypted and kept forever);
 * - private API endpoint always on; a public one only with a CIDR allow-list;
 * - nodes in the private subnets, with a security group of their own (`nodes`) that data
 *   stores admit; launched from templates that require IMDSv2 with a hop limit of 1 (pods
 *   cannot reach the node's credentials) and encrypt the root volume with a KMS key;
 * - add-ons pinned by version; the VPC CNI and the EBS CSI driver get their AWS permissions
 *   through EKS Pod Identity, not the node role.
 *
 * Workloads get AWS permissions through `PodIdentityRole`.
 */
export class EksCluster extends Construct {
  public readonly name: string;
  public readonly arn: string;
  /** URL of the Kubernetes API. */
  public readonly endpoint: string;
  /** Base64 PEM of the cluster CA, as EKS returns it. */
  public readonly certificateAuthorityData: string;
  /** OIDC issuer URL; no IAM OIDC provider is created (Pod Identity needs none). */
  public readonly oidcIssuerUrl: string;
  /** Kubernetes version of the control plane. */
  public readonly version: string;
  /** The nodes' security group: admit ports from it to let pods in (Aurora, Redis). */
  public readonly nodes: SecurityGroupReference;
  /** The security group EKS creates for the cluster (control plane ENIs). */
  public readonly clusterSecurityGroupId: string;
  /** Role of the nodes (worker node policy, ECR pull, SSM). */
  public readonly nodeRoleArn: string;
  /** The managed node groups and their Auto Scaling groups. */
  public readonly nodeGroups: readonly EksNodeGroupInfo[];

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const name = props.name ?? resourceName(this, undefined, 100);
    const nodeGroups = (props.nodeGroups ?? DEFAULT_NODE_GROUPS).map((g): ResolvedNodeGroup => ({
      name: g.name,
      instanceTypes: g.instanceTypes,
      minSize: g.minSize,
      maxSize: g.maxSize,
      capacityType: g.capacityType ?? "ON_DEMAND",
      desiredSize: g.desiredSize ?? g.minSize,
      diskSizeGiB: g.diskSizeGiB ?? 50,
      labels: g.labels ?? {},
      cpuArchitecture: g.cpuArchitecture ?? architectureOf(g.instanceTypes),
      maxUnavailablePercentage: g.maxUnavailablePercentage ?? 33,
    }));
    const endpointPublicAccess = props.endpointPublicAccess ?? false;
    const endpointPublicAccessCidrs = props.endpointPublicAccessCidrs ?? [];
    const adminPrincipalArns = props.adminPrincipalArns ?? [];
    const logRetentionInDays = props.logRetentionInDays ?? 90;
    const deletionProtection = props.deletionProtection ?? true;
    const { network, version, addons } = props;

    validateProps("EksCluster", [
      {
        violated: isKnown(name) && !CLUSTER_NAME.test(name),
        message: `\`name\` must be 1-100 letters, digits, "-" or "_", starting with a letter or digit, got "${name}"`,
      },
      {
        violated: isKnown(version) && !/^1\.\d+$/.test(version),
        message: `\`version\` must be a Kubernetes minor version like "1.34", got "${version}"`,
      },
      ...endpointRules(endpointPublicAccess, endpointPublicAccessCidrs),
      ...adminPrincipalArns.map((arn, i) => ({
        violated: isKnown(arn) && !PRINCIPAL_ARN.test(arn),
        message: `\`adminPrincipalArns[${i}]\` must be the ARN of an IAM role or user, got "${arn}"`,
      })),
      {
        violated: new Set(adminPrincipalArns).size !== adminPrincipalArns.length,
        message: `\`adminPrincipalArns\` must not repeat a principal, got [${adminPrincipalArns.join(", ")}]`,
      },
      ...(Object.keys(addons) as (keyof EksAddonVersions)[]).map((addon) => ({
        violated: isKnown(addons[addon]) && !ADDON_VERSION.test(addons[addon] ?? ""),
        message: `\`addons.${addon}\` must be an EKS add-on version like "v1.20.4-eksbuild.1", got "${addons[addon]}"`,
      })),
      logRetentionRule("logRetentionInDays", logRetentionInDays),
      {
        violated: nodeGroups.length === 0,
        message: "`nodeGroups` must list at least one node group (add-ons need nodes to run on)",
      },
      ...nodeGroups.flatMap((g, i) => nodeGroupRules(g, i, name)),
      {
        violated: new Set(nodeGroups.map((g) => g.name)).size !== nodeGroups.length,
        message: `\`nodeGroups\` names must be unique, got [${nodeGroups.map((g) => g.name).join(", ")}]`,
      },
    ]);

    const partition = new DataAwsPartition(this, "partition");
    const awsPolicy = (policy: string) => `arn:${partition.partition}:iam::aws:policy/${policy}`;

    // --- Control plane -------------------------------------------------------------------
    const clusterRole = new IamRole(this, "cluster-role", {
      name: `${name}-cluster`.slice(0, 64),
      description: `EKS control plane of ${name}`,
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, "cluster-trust-policy", {
        statement: [
          {
            sid: "EksControlPlane",
            effect: "Allow",
            principals: [{ type: "Service", identifiers: ["eks.amazonaws.com"] }],
            actions: ["sts:AssumeRole", "sts:TagSession"],
          },
        ],
      }).json,
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, "cluster-policy", {
      role: clusterRole.name,
      policyArn: awsPolicy("AmazonEKSClusterPolicy"),
    });

    const logGroup = new CloudwatchLogGroup(this, "control-plane-log-group", {
      // EKS writes to exactly this name; created here first so it is encrypted and expires.
      name: `/aws/eks/${name}/cluster`,
      kmsKeyId: props.logsKey.arn,
      retentionInDays: logRetentionInDays,
    });

    const controlPlaneSg = new SecurityGroup(this, "control-plane-security-group", {
      name: `${name}-control-plane`,
      description: `EKS control plane of ${name}: API from the nodes`,
      vpcId: network.vpcId,
      tags: { Name: `${name}-control-plane` },
    });
    const nodeSg = new SecurityGroup(this, "node-security-group", {
      name: `${name}-nodes`,
      description: `Nodes and pods of ${name}`,
      vpcId: network.vpcId,
      tags: {
        Name: `${name}-nodes`,
        // The AWS Load Balancer Controller adds its rules to the one group tagged so.
        [`kubernetes.io/cluster/${name}`]: "owned",
        "karpenter.sh/discovery": name,
      },
    });
    this.securityGroupRules(controlPlaneSg, nodeSg);

    const cluster = new EksClusterResource(this, "cluster", {
      name,
      version,
      roleArn: clusterRole.arn,
      vpcConfig: {
        subnetIds: [...network.privateSubnetIds],
        securityGroupIds: [controlPlaneSg.id],
        endpointPrivateAccess: true,
        endpointPublicAccess,
        publicAccessCidrs: endpointPublicAccess ? [...endpointPublicAccessCidrs] : undefined,
      },
      accessConfig: {
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: false,
      },
      encryptionConfig: {
        resources: ["secrets"],
        provider: { keyArn: props.secretsKey.arn },
      },
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
      // The add-ons below are managed by EKS at pinned versions; no unmanaged copies first.
      bootstrapSelfManagedAddons: false,
      deletionProtection,
      dependsOn: [logGroup, clusterPolicy],
    });

    adminPrincipalArns.forEach((principalArn, i) => {
      const entryId = `admin-${principalIdSuffix(principalArn, i)}`;
      const entry = new EksAccessEntry(this, entryId, {
        clusterName: cluster.name,
        principalArn,
        type: "STANDARD",
      });
      new EksAccessPolicyAssociation(this, `${entryId}-cluster-admin`, {
        clusterName: cluster.name,
        principalArn: entry.principalArn,
        policyArn: `arn:${partition.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: "cluster" },
      });
    });

    // --- Add-ons the nodes need to become Ready ---------------------------------------------
    const addon = (
      addonId: string,
      addonName: string,
      addonVersion: string,
      extra: Partial<EksAddonConfig> = {},
    ) =>
      new EksAddon(this, addonId, {
        clusterName: cluster.name,
        addonName,
        addonVersion,
        // Terraform owns the add-ons' configuration.
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
        ...extra,
      });

    const podIdentityAgent = addon(
      "addon-eks-pod-identity-agent",
      "eks-pod-identity-agent",
      addons.podIdentityAgent,
    );
    const cniRole = new PodIdentityRole(this, "vpc-cni-role", {
      clusterName: name,
      namespace: "kube-system",
      serviceAccount: "aws-node",
      managedPolicyArns: [awsPolicy("AmazonEKS_CNI_Policy")],
      createAssociation: false,
      roleName: `${name}-vpc-cni`.slice(0, 64),
    });
    const vpcCni = addon("addon-vpc-cni", "vpc-cni", addons.vpcCni, {
      podIdentityAssociation: [{ roleArn: cniRole.roleArn, serviceAccount: "aws-node" }],
      // Without the network policy agent, Kubernetes NetworkPolicy objects are accepted by the
      // API server and silently not enforced.
      configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
      dependsOn: [podIdentityAgent],
    });
    const kubeProxy = addon("addon-kube-proxy", "kube-proxy", addons.kubeProxy);

    // --- Nodes ----------------------------------------------------------------------------
    const nodeRole = new IamRole(this, "node-role", {
      name: `${name}-node`.slice(0, 64),
      description: `EKS nodes of ${name}`,
      assumeRolePolicy: new DataAwsIamPolicyDocument(this, "node-trust-policy", {
        statement: [
          {
            sid: "Ec2Instances",
            effect: "Allow",
            principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }],
            actions: ["sts:AssumeRole"],
          },
        ],
      }).json,
    });
    // No AmazonEKS_CNI_Policy here: the VPC CNI has its own role through Pod Identity.
    const nodePolicies = [
      "AmazonEKSWorkerNodePolicy",
      "AmazonEC2ContainerRegistryPullOnly",
      "AmazonSSMManagedInstanceCore",
    ].map(
      (policy) =>
        new IamRolePolicyAttachment(this, `node-policy-${policy}`, {
          role: nodeRole.name,
          policyArn: awsPolicy(policy),
        }),
    );

    const groups = nodeGroups.map((g) => {
      const template = new LaunchTemplate(this, `node-group-${g.name}-launch-template`, {
        name: `${name}-${g.name}`,
        description: `Nodes of ${name}/${g.name}: IMDSv2 only, encrypted root volume`,
        updateDefaultVersion: true,
        vpcSecurityGroupIds: [nodeSg.id],
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          // One hop: the node itself reaches IMDS, containers behind a bridge do not.
          httpPutResponseHopLimit: 1,
          instanceMetadataTags: "disabled",
        },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: {
              volumeSize: g.diskSizeGiB,
              volumeType: "gp3",
              encrypted: "true",
              kmsKeyId: props.nodeVolumeKey.arn,
              deleteOnTermination: "true",
            },
          },
        ],
        tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
          resourceType,
          tags: { Name: `${name}-${g.name}` },
        })),
      });
      const nodeGroup = new EksNodeGroup(this, `node-group-${g.name}`, {
        clusterName: cluster.name,
        nodeGroupNamePrefix: `${name}-${g.name}-`,
        // Follows the control plane: an upgrade rolls the nodes after the cluster.
        version: cluster.version,
        nodeRoleArn: nodeRole.arn,
        subnetIds: [...network.privateSubnetIds],
        // Validated above: a node group's instance types share one architecture.
        amiType: AMI_TYPES[g.cpuArchitecture as CpuArchitecture],
        capacityType: g.capacityType,
        instanceTypes: [...g.instanceTypes],
        labels: { ...g.labels },
        scalingConfig: { minSize: g.minSize, desiredSize: g.desiredSize, maxSize: g.maxSize },
        updateConfig: { maxUnavailablePercentage: g.maxUnavailablePercentage },
        launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
        nodeRepairConfig: { enabled: true },
        lifecycle: {
          // A change that replaces the group (instance types, capacity type) brings up the new
          // group before draining the old one.
          createBeforeDestroy: true,
          // The cluster autoscaler owns the desired size.
          ignoreChanges: ["scaling_config[0].desired_size"],
        },
        dependsOn: [...nodePolicies, vpcCni, kubeProxy, podIdentityAgent],
      });
      return nodeGroup;
    });

    // --- Add-ons that run as Deployments: they need nodes, or EKS reports them degraded ----
    addon("addon-coredns", "coredns", addons.coredns, { dependsOn: groups });
    const ebsCsiRole = new PodIdentityRole(this, "ebs-csi-driver-role", {
      clusterName: name,
      namespace: "kube-system",
      serviceAccount: "ebs-csi-controller-sa",
      managedPolicyArns: [awsPolicy("service-role/AmazonEBSCSIDriverPolicy")],
      policyStatements: [
        {
          // Persistent volumes encrypted with the node volume key (AmazonEBSCSIDriverPolicy
          // covers only AWS managed keys).
          sid: "UseTheNodeVolumeKeyThroughEc2",
          effect: "Allow",
          actions: [
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:GenerateDataKeyWithoutPlaintext",
            "kms:ReEncrypt*",
          ],
          resources: [props.nodeVolumeKey.arn],
        },
        {
          sid: "GrantTheNodeVolumeKeyToEc2",
          effect: "Allow",
          actions: ["kms:CreateGrant"],
          resources: [props.nodeVolumeKey.arn],
          condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
        },
      ],
      createAssociation: false,
      roleName: `${name}-ebs-csi-driver`.slice(0, 64),
    });
    addon("addon-aws-ebs-csi-driver", "aws-ebs-csi-driver", addons.ebsCsiDriver, {
      podIdentityAssociation: [
        { roleArn: ebsCsiRole.roleArn, serviceAccount: "ebs-csi-controller-sa" },
      ],
      dependsOn: groups,
    });

    if (addons.cloudWatchObservability) {
      this.addCloudWatchObservability(
        name,
        addons.cloudWatchObservability,
        groups,
        props.logsKey,
        logRetentionInDays,
        addon,
        awsPolicy("CloudWatchAgentServerPolicy"),
      );
    }

    this.name = cluster.name;
    this.arn = cluster.arn;
    this.endpoint = cluster.endpoint;
    this.certificateAuthorityData = cluster.certificateAuthority.get(0).data;
    this.oidcIssuerUrl = cluster.identity.get(0).oidc.get(0).issuer;
    this.version = cluster.version;
    this.nodes = { securityGroupId: nodeSg.id };
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    this.nodeRoleArn = nodeRole.arn;
    this.nodeGroups = groups.map((g) => ({
      name: g.nodeGroupName,
      autoscalingGroupName: g.resources.get(0).autoscalingGroups.get(0).name,
    }));
  }

  /**
   * Container Insights and container logs through the amazon-cloudwatch-observability add-on.
   * The log groups it writes to are created first, KMS-encrypted and with a retention (the
   * agent would otherwise create them unencrypted and kept forever). The agent gets
   * CloudWatchAgentServerPolicy through Pod Identity, not the node role.
   */
  private addCloudWatchObservability(
    name: string,
    version: string,
    groups: readonly EksNodeGroup[],
    logsKey: KeyReference,
    retentionInDays: number,
    addon: (
      id: string,
      addonName: string,
      version: string,
      extra?: Partial<EksAddonConfig>,
    ) => EksAddon,
    agentPolicyArn: string,
  ): void {
    const logGroups = ["application", "dataplane", "host", "performance"].map(
      (kind) =>
        new CloudwatchLogGroup(this, `container-insights-${kind}-log-group`, {
          name: `/aws/containerinsights/${name}/${kind}`,
          kmsKeyId: logsKey.arn,
          retentionInDays,
        }),
    );
    const role = new PodIdentityRole(this, "cloudwatch-observability-role", {
      clusterName: name,
      namespace: "amazon-cloudwatch",
      serviceAccount: "cloudwatch-agent",
      managedPolicyArns: [agentPolicyArn],
      createAssociation: false,
      roleName: `${name}-cloudwatch-agent`.slice(0, 64),
    });
    addon("addon-amazon-cloudwatch-observability", "amazon-cloudwatch-observability", version, {
      podIdentityAssociation: [{ roleArn: role.roleArn, serviceAccount: "cloudwatch-agent" }],
      dependsOn: [...groups, ...logGroups],
    });
  }

  /**
   * What the control plane and the nodes need from each other (the rules eksctl and
   * terraform-aws-eks set): nodes call the API on 443; the API server calls kubelets (10250)
   * and admission webhooks and metrics on the pods (443, 1025-65535); pods talk to each other
   * across nodes on any port; nodes reach out (images, AWS APIs) through NAT.
   */
  private securityGroupRules(controlPlane: SecurityGroup, nodes: SecurityGroup): void {
    const tcp = (fromPort: number, toPort: number) => ({
      ipProtocol: "tcp",
      fromPort,
      toPort,
    });
    new VpcSecurityGroupIngressRule(this, "control-plane-from-nodes-443", {
      securityGroupId: controlPlane.id,
      referencedSecurityGroupId: nodes.id,
      description: "Kubernetes API from the nodes",
      ...tcp(443, 443),
    });
    new VpcSecurityGroupEgressRule(this, "control-plane-to-nodes-443", {
      securityGroupId: controlPlane.id,
      referencedSecurityGroupId: nodes.id,
      description: "Webhooks on 443 in pods",
      ...tcp(443, 443),
    });
    new VpcSecurityGroupEgressRule(this, "control-plane-to-nodes-1025-65535", {
      securityGroupId: controlPlane.id,
      referencedSecurityGroupId: nodes.id,
      description: "Kubelets, webhooks and metrics on the nodes",
      ...tcp(1025, 65535),
    });
    new VpcSecurityGroupIngressRule(this, "nodes-from-control-plane-443", {
      securityGroupId: nodes.id,
      referencedSecurityGroupId: controlPlane.id,
      description: "Webhooks on 443 in pods, from the API server",
      ...tcp(443, 443),
    });
    new VpcSecurityGroupIngressRule(this, "nodes-from-control-plane-1025-65535", {
      securityGroupId: nodes.id,
      referencedSecurityGroupId: controlPlane.id,
      description: "Kubelets (10250), webhooks and metrics, from the API server",
      ...tcp(1025, 65535),
    });
    new VpcSecurityGroupIngressRule(this, "nodes-from-nodes", {
      securityGroupId: nodes.id,
      referencedSecurityGroupId: nodes.id,
      description: "Pods and nodes among themselves (DNS, services, pod-to-pod)",
      ipProtocol: "-1",
    });
    new VpcSecurityGroupEgressRule(this, "nodes-to-anywhere", {
      securityGroupId: nodes.id,
      cidrIpv4: "0.0.0.0/0",
      description: "Images, AWS APIs and the internet through NAT",
      ipProtocol: "-1",
    });
  }
}

/** arm64 when every instance type is a Graviton family, x86_64 when none is, else mixed. */
function architectureOf(instanceTypes: readonly string[]): CpuArchitecture | "mixed" {
  const arches = new Set(
    instanceTypes.map((t) => (GRAVITON_FAMILY.test(t.split(".")[0]) ? "arm64" : "x86_64")),
  );
  if (arches.size > 1) return "mixed";
  return arches.has("arm64") ? "arm64" : "x86_64";
}

function endpointRules(publicAccess: boolean, cidrs: readonly string[]): PropRule[] {
  return [
    {
      violated: publicAccess && cidrs.length === 0,
      message:
        "`endpointPublicAccessCidrs` must list at least one CIDR block when `endpointPublicAccess` is true (the public endpoint would be open to the internet)",
    },
    {
      violated: !publicAccess && cidrs.length > 0,
      message: `\`endpointPublicAccessCidrs\` must be empty when \`endpointPublicAccess\` is false, got [${cidrs.join(", ")}]`,
    },
    ...cidrs.flatMap((block, i) => {
      if (!isKnown(block)) return [];
      const problem = cidrProblem(block);
      return [
        {
          violated: problem !== undefined,
          message: `\`endpointPublicAccessCidrs[${i}]\` ${problem}`,
        },
        {
          violated: problem === undefined && block.endsWith("/0"),
          message: `\`endpointPublicAccessCidrs[${i}]\` must not open the API to the internet, got "${block}"`,
        },
      ];
    }),
  ];
}

function nodeGroupRules(g: ResolvedNodeGroup, i: number, clusterName: string): PropRule[] {
  const at = `\`nodeGroups[${i}]`;
  const prefix = `${clusterName}-${g.name}-`;
  return [
    {
      violated: !NODE_GROUP_NAME.test(g.name),
      message: `${at}.name\` must be lowercase letters, digits and dashes, starting with a letter, got "${g.name}"`,
    },
    {
      violated: NODE_GROUP_NAME.test(g.name) && prefix.length > NODE_GROUP_PREFIX_MAX,
      message: `${at}.name\` makes the node group name prefix "${prefix}" ${prefix.length} characters long; cluster and node group names together allow ${NODE_GROUP_PREFIX_MAX}`,
    },
    {
      violated: g.instanceTypes.length === 0,
      message: `${at}.instanceTypes\` must list at least one instance type`,
    },
    ...g.instanceTypes.map((type, j) => ({
      violated: !INSTANCE_TYPE.test(type),
      message: `${at}.instanceTypes[${j}]\` must be an EC2 instance type like "m7i.large", got "${type}"`,
    })),
    {
      violated: g.cpuArchitecture === "mixed",
      message: `${at}.instanceTypes\` must all share one CPU architecture (one AMI per node group), got [${g.instanceTypes.join(", ")}]`,
    },
    {
      violated: !Number.isInteger(g.minSize) || g.minSize < 0,
      message: `${at}.minSize\` must be a whole number ≥ 0, got ${g.minSize}`,
    },
    {
      violated: !Number.isInteger(g.maxSize) || g.maxSize < 1,
      message: `${at}.maxSize\` must be a whole number ≥ 1, got ${g.maxSize}`,
    },
    {
      violated: g.minSize > g.maxSize,
      message: `${at}.minSize\` must be ≤ maxSize (${g.maxSize}), got ${g.minSize}`,
    },
    {
      // Only when the bounds make sense: otherwise the minSize rule says what is wrong.
      violated: g.minSize <= g.maxSize && (g.desiredSize < g.minSize || g.desiredSize > g.maxSize),
      message: `${at}.desiredSize\` must be between minSize (${g.minSize}) and maxSize (${g.maxSize}), got ${g.desiredSize}`,
    },
    {
      violated: !Number.isInteger(g.diskSizeGiB) || g.diskSizeGiB < 20 || g.diskSizeGiB > 16384,
      message: `${at}.diskSizeGiB\` must be a whole number from 20 to 16384, got ${g.diskSizeGiB}`,
    },
    {
      violated:
        !Number.isInteger(g.maxUnavailablePercentage) ||
        g.maxUnavailablePercentage < 1 ||
        g.maxUnavailablePercentage > 100,
      message: `${at}.maxUnavailablePercentage\` must be a whole number from 1 to 100, got ${g.maxUnavailablePercentage}`,
    },
  ];
}

/**
 * A construct ID suffix that follows the principal, not its position in the list (IDs become
 * Terraform addresses): `123456789012-role-platform-admin`.
 */
function principalIdSuffix(principalArn: string, index: number): string {
  if (!isKnown(principalArn) || !PRINCIPAL_ARN.test(principalArn)) return String(index);
  return principalArn
    .split(":")
    .slice(4)
    .join("-")
    .replace(/[^A-Za-z0-9_-]+/g, "-");
}
