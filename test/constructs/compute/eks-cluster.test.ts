import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksCluster as EksClusterResource } from "@cdktf/provider-aws/lib/eks-cluster";
import { TerraformOutput } from "cdktf";
import type { EksClusterProps, EksNodeGroupOptions, NetworkReference } from "../../../constructs";
import { EksCluster } from "../../../constructs";
import type { TfBlock } from "../../support/synth";
import { problemsOf, ref, synth } from "../../support/synth";
// Types of the cdktf matchers that test/setup.ts registers (a global augmentation).

const network: NetworkReference = {
  vpcId: "vpc-0123456789abcdef0",
  vpcCidr: "10.30.0.0/16",
  availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  publicSubnetIds: ["subnet-pub-a", "subnet-pub-b", "subnet-pub-c"],
  privateSubnetIds: ["subnet-prv-a", "subnet-prv-b", "subnet-prv-c"],
  isolatedSubnetIds: ["subnet-iso-a", "subnet-iso-b", "subnet-iso-c"],
};
const key = (name: string) => ({
  arn: `arn:aws:kms:eu-west-1:123456789012:key/${name}`,
  keyId: name,
});
const addons = {
  vpcCni: "v1.20.4-eksbuild.1",
  coredns: "v1.12.4-eksbuild.1",
  kubeProxy: "v1.34.1-eksbuild.2",
  podIdentityAgent: "v1.3.9-eksbuild.3",
  ebsCsiDriver: "v1.51.1-eksbuild.1",
};
const required: EksClusterProps = {
  network,
  version: "1.34",
  secretsKey: key("secrets"),
  nodeVolumeKey: key("volumes"),
  logsKey: key("logs"),
  addons,
};
const general: EksNodeGroupOptions = {
  name: "general",
  instanceTypes: ["m7i.xlarge", "m6i.xlarge"],
  minSize: 3,
  desiredSize: 4,
  maxSize: 12,
  diskSizeGiB: 80,
  labels: { workload: "search" },
};

/** Synthesizes a cluster named "search-prod" with the given props over the required ones. */
function synthCluster(props: Partial<EksClusterProps> = {}) {
  return synth((scope) => {
    const cluster = new EksCluster(scope, "eks", { ...required, name: "search-prod", ...props });
    new TerraformOutput(scope, "outputs", {
      value: {
        name: cluster.name,
        arn: cluster.arn,
        endpoint: cluster.endpoint,
        certificateAuthorityData: cluster.certificateAuthorityData,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        version: cluster.version,
        nodes: cluster.nodes.securityGroupId,
        clusterSecurityGroupId: cluster.clusterSecurityGroupId,
        nodeRoleArn: cluster.nodeRoleArn,
        nodeGroups: cluster.nodeGroups,
      },
    });
    return cluster;
  });
}
type Synthesized = ReturnType<typeof synthCluster>;

/** `type.name` of the only resource of a type. */
function only(s: Synthesized, type: string): string {
  const names = Object.keys(s.resources(type));
  if (names.length !== 1) throw new Error(`expected one ${type}, found ${names.length}`);
  return `${type}.${names[0]}`;
}
function named(s: Synthesized, type: string, fragment: string): [string, TfBlock] {
  const found = Object.entries(s.resources(type)).filter(([n]) => n.includes(fragment));
  if (found.length !== 1) throw new Error(`expected one ${type} named *${fragment}*`);
  return [`${type}.${found[0][0]}`, found[0][1]];
}
function statements(s: Synthesized, policyJson: string): TfBlock[] {
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policyJson)![1];
  return s.dataSources("aws_iam_policy_document")[name].statement;
}
function problems(props: Partial<EksClusterProps>): readonly string[] {
  return problemsOf(() => synthCluster(props));
}

describe("EksCluster", () => {
  it("works with only its required props", () => {
    // GIVEN network, version, keys and add-on versions only
    // WHEN it is synthesized
    const s = synth((scope) => new EksCluster(scope, "eks", required));
    // THEN a private cluster with encrypted secrets and one default on-demand node group
    expect(s.json).toHaveResourceWithProperties(EksClusterResource, {
      name: "test-eks",
      version: "1.34",
      deletion_protection: true,
      vpc_config: expect.objectContaining({
        endpoint_private_access: true,
        endpoint_public_access: false,
      }),
    });
    expect(s.resource("aws_eks_node_group")).toMatchObject({
      node_group_name_prefix: "test-eks-general-",
      capacity_type: "ON_DEMAND",
      instance_types: ["m7i.large"],
      scaling_config: { min_size: 2, desired_size: 2, max_size: 6 },
    });
    expect(Object.keys(s.resources("aws_eks_access_entry"))).toEqual([]);
  });

  describe("control plane", () => {
    it("envelope-encrypts Kubernetes secrets with the secrets key", () => {
      expect(synthCluster().json).toHaveResourceWithProperties(EksClusterResource, {
        encryption_config: { resources: ["secrets"], provider: { key_arn: key("secrets").arn } },
      });
    });

    it("sends all five control-plane log types to a pre-created, encrypted log group", () => {
      // GIVEN a log retention
      const s = synthCluster({ logRetentionInDays: 365 });
      // THEN every log type is on ...
      const cluster = s.resource("aws_eks_cluster");
      expect(cluster.enabled_cluster_log_types).toEqual([
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
      ]);
      // ... into the group EKS writes to, encrypted, expiring, and created before the cluster
      expect(s.json).toHaveResourceWithProperties(CloudwatchLogGroup, {
        name: "/aws/eks/search-prod/cluster",
        kms_key_id: key("logs").arn,
        retention_in_days: 365,
      });
      expect(cluster.depends_on).toContain(only(s, "aws_cloudwatch_log_group"));
    });

    it("keeps control-plane logs 90 days by default", () => {
      expect(synthCluster().resource("aws_cloudwatch_log_group").retention_in_days).toBe(90);
    });

    it("authenticates through access entries only, without implicit admin for its creator", () => {
      expect(synthCluster().resource("aws_eks_cluster")).toMatchObject({
        access_config: {
          authentication_mode: "API",
          bootstrap_cluster_creator_admin_permissions: false,
        },
        bootstrap_self_managed_addons: false,
      });
    });

    it("gives each admin principal an access entry with the cluster-admin policy", () => {
      // GIVEN two admin principals
      const admins = [
        "arn:aws:iam::123456789012:role/platform-admin",
        "arn:aws:iam::123456789012:role/ci-deployer",
      ];
      const s = synthCluster({ adminPrincipalArns: admins });
      // THEN one standard access entry each, on this cluster
      const clusterName = ref(`${only(s, "aws_eks_cluster")}.name`);
      const entries = s.resources("aws_eks_access_entry");
      expect(
        Object.values(entries)
          .map((e) => e.principal_arn)
          .sort(),
      ).toEqual([...admins].sort());
      for (const entry of Object.values(entries)) {
        expect(entry).toMatchObject({ cluster_name: clusterName, type: "STANDARD" });
      }
      // AND each entry is associated with AmazonEKSClusterAdminPolicy over the whole cluster
      for (const [name] of Object.entries(entries)) {
        expect(s.json).toHaveResourceWithProperties(EksAccessPolicyAssociation, {
          cluster_name: clusterName,
          principal_arn: ref(`aws_eks_access_entry.${name}.principal_arn`),
          policy_arn: expect.stringMatching(
            /^arn:\$\{data\.aws_partition\.[^}]+\}:eks::aws:cluster-access-policy\/AmazonEKSClusterAdminPolicy$/,
          ),
          access_scope: { type: "cluster" },
        });
      }
    });

    it("names access entries after their principal, so removing one moves no other", () => {
      const s = synthCluster({
        adminPrincipalArns: ["arn:aws:iam::123456789012:role/platform-admin"],
      });
      const [name] = Object.keys(s.resources("aws_eks_access_entry"));
      expect(name).toMatch(/^eks_admin-123456789012-role-platform-admin_[0-9A-F]{8}$/);
    });

    it.each<[string, Partial<EksClusterProps>, TfBlock]>([
      [
        "private only (the default)",
        {},
        { endpoint_private_access: true, endpoint_public_access: false },
      ],
      [
        "public to an allow-list",
        { endpointPublicAccess: true, endpointPublicAccessCidrs: ["203.0.113.0/24"] },
        {
          endpoint_private_access: true,
          endpoint_public_access: true,
          public_access_cidrs: ["203.0.113.0/24"],
        },
      ],
    ])("serves the API %s", (_case, props, expected) => {
      const vpcConfig = synthCluster(props).resource("aws_eks_cluster").vpc_config;
      expect(vpcConfig).toMatchObject(expected);
      if (!expected.endpoint_public_access) expect(vpcConfig.public_access_cidrs).toBeUndefined();
    });

    it("places the control plane in the private subnets with its own security group", () => {
      const s = synthCluster();
      const [sg] = named(s, "aws_security_group", "control-plane");
      expect(s.resource("aws_eks_cluster").vpc_config).toMatchObject({
        subnet_ids: network.privateSubnetIds,
        security_group_ids: [ref(`${sg}.id`)],
      });
    });

    it("lets only EKS assume the cluster role, which holds AmazonEKSClusterPolicy", () => {
      const s = synthCluster();
      const [roleAddress, role] = named(s, "aws_iam_role", "cluster-role");
      expect(statements(s, role.assume_role_policy)).toEqual([
        expect.objectContaining({
          principals: [{ type: "Service", identifiers: ["eks.amazonaws.com"] }],
          actions: ["sts:AssumeRole", "sts:TagSession"],
        }),
      ]);
      expect(s.resource("aws_eks_cluster").role_arn).toBe(ref(`${roleAddress}.arn`));
      const attachments = Object.values(s.resources("aws_iam_role_policy_attachment")).filter(
        (a) => a.role === ref(`${roleAddress}.name`),
      );
      expect(attachments.map((a) => a.policy_arn.split("/").pop())).toEqual([
        "AmazonEKSClusterPolicy",
      ]);
    });

    it.each([
      [true, undefined],
      [false, false],
    ])("sets deletion protection to %s", (expected, deletionProtection) => {
      const s = synthCluster({ deletionProtection });
      expect(s.resource("aws_eks_cluster").deletion_protection).toBe(expected);
    });
  });

  describe("nodes", () => {
    it("gives the nodes a role with worker, ECR pull and SSM policies, and no CNI policy", () => {
      const s = synthCluster();
      const [roleAddress, role] = named(s, "aws_iam_role", "node-role");
      expect(statements(s, role.assume_role_policy)[0].principals).toEqual([
        { type: "Service", identifiers: ["ec2.amazonaws.com"] },
      ]);
      const policies = Object.values(s.resources("aws_iam_role_policy_attachment"))
        .filter((a) => a.role === ref(`${roleAddress}.name`))
        .map((a) => a.policy_arn.split("/").pop())
        .sort();
      expect(policies).toEqual([
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKSWorkerNodePolicy",
        "AmazonSSMManagedInstanceCore",
      ]);
    });

    it("launches nodes that require IMDSv2 with one hop and encrypt their root volume", () => {
      // GIVEN a node group with an 80 GiB disk
      const s = synthCluster({ nodeGroups: [general] });
      const template = s.resource("aws_launch_template");
      // THEN pods cannot reach the node's credentials through the metadata service
      expect(template.metadata_options).toEqual({
        http_endpoint: "enabled",
        http_tokens: "required",
        http_put_response_hop_limit: 1,
        instance_metadata_tags: "disabled",
      });
      // AND the root volume is encrypted with the node volume key
      expect(template.block_device_mappings).toEqual([
        {
          device_name: "/dev/xvda",
          ebs: {
            encrypted: "true",
            kms_key_id: key("volumes").arn,
            volume_size: 80,
            volume_type: "gp3",
            delete_on_termination: "true",
          },
        },
      ]);
      // AND the nodes carry only their own security group
      const [nodeSg] = named(s, "aws_security_group", "node-security-group");
      expect(template.vpc_security_group_ids).toEqual([ref(`${nodeSg}.id`)]);
    });

    it.each<[string, EksNodeGroupOptions, TfBlock]>([
      [
        "x86 on-demand",
        general,
        {
          ami_type: "AL2023_x86_64_STANDARD",
          capacity_type: "ON_DEMAND",
          instance_types: ["m7i.xlarge", "m6i.xlarge"],
          scaling_config: { min_size: 3, desired_size: 4, max_size: 12 },
          labels: { workload: "search" },
          update_config: { max_unavailable_percentage: 33 },
        },
      ],
      [
        "Graviton spot",
        {
          name: "batch",
          instanceTypes: ["m7g.large", "c7gn.large"],
          capacityType: "SPOT",
          minSize: 0,
          maxSize: 5,
          maxUnavailablePercentage: 50,
        },
        {
          ami_type: "AL2023_ARM_64_STANDARD",
          capacity_type: "SPOT",
          instance_types: ["m7g.large", "c7gn.large"],
          scaling_config: { min_size: 0, desired_size: 0, max_size: 5 },
          labels: {},
          update_config: { max_unavailable_percentage: 50 },
        },
      ],
      [
        "an explicit architecture",
        {
          name: "future",
          instanceTypes: ["x9z.large"],
          minSize: 1,
          maxSize: 2,
          cpuArchitecture: "arm64",
        },
        { ami_type: "AL2023_ARM_64_STANDARD" },
      ],
    ])("creates a %s node group across the private subnets", (_case, group, expected) => {
      // GIVEN one node group
      const s = synthCluster({ nodeGroups: [group] });
      const [templateAddress] = named(s, "aws_launch_template", group.name);
      const nodeGroup = s.resource("aws_eks_node_group");
      // THEN it has the expected AMI, capacity and sizes ...
      expect(nodeGroup).toMatchObject(expected);
      // ... spread over every private subnet, following the control plane's version
      expect(nodeGroup).toMatchObject({
        cluster_name: ref(`${only(s, "aws_eks_cluster")}.name`),
        subnet_ids: network.privateSubnetIds,
        version: ref(`${only(s, "aws_eks_cluster")}.version`),
        node_group_name_prefix: `search-prod-${group.name}-`,
        launch_template: {
          id: ref(`${templateAddress}.id`),
          version: ref(`${templateAddress}.latest_version`),
        },
      });
    });

    it("leaves the desired size to the autoscaler and replaces a group before destroying it", () => {
      const nodeGroup = synthCluster().resource("aws_eks_node_group");
      expect(nodeGroup.lifecycle).toEqual({
        create_before_destroy: true,
        ignore_changes: ["scaling_config[0].desired_size"],
      });
      expect(nodeGroup.node_repair_config).toEqual({ enabled: true });
    });

    it("creates one node group and launch template per group", () => {
      const batch = { name: "batch", instanceTypes: ["c7i.xlarge"], minSize: 0, maxSize: 3 };
      const s = synthCluster({ nodeGroups: [general, batch] });
      expect(Object.keys(s.resources("aws_eks_node_group"))).toHaveLength(2);
      expect(
        Object.values(s.resources("aws_launch_template"))
          .map((t) => t.name)
          .sort(),
      ).toEqual(["search-prod-batch", "search-prod-general"]);
    });

    describe("security groups", () => {
      /** Rules as "direction group from/to port-range protocol". */
      function rules(s: Synthesized): string[] {
        const [cp] = named(s, "aws_security_group", "control-plane");
        const [nodes] = named(s, "aws_security_group", "node-security-group");
        const label = (v: string | undefined) =>
          v === ref(`${cp}.id`) ? "control-plane" : v === ref(`${nodes}.id`) ? "nodes" : v;
        const describe = (direction: string) => (r: TfBlock) =>
          [
            direction,
            label(r.security_group_id),
            label(r.referenced_security_group_id ?? r.cidr_ipv4),
            r.ip_protocol === "-1" ? "all" : `${r.ip_protocol} ${r.from_port}-${r.to_port}`,
          ].join(" ");
        return [
          ...Object.values(s.resources("aws_vpc_security_group_ingress_rule")).map(describe("in")),
          ...Object.values(s.resources("aws_vpc_security_group_egress_rule")).map(describe("out")),
        ].sort();
      }

      it("opens exactly what the control plane and the nodes need from each other", () => {
        expect(rules(synthCluster())).toEqual([
          "in control-plane nodes tcp 443-443",
          "in nodes control-plane tcp 1025-65535",
          "in nodes control-plane tcp 443-443",
          "in nodes nodes all",
          "out control-plane nodes tcp 1025-65535",
          "out control-plane nodes tcp 443-443",
          "out nodes 0.0.0.0/0 all",
        ]);
      });

      it("exposes the nodes' own security group, tagged for the load balancer controller", () => {
        const s = synthCluster();
        const [nodeSg, group] = named(s, "aws_security_group", "node-security-group");
        expect(group).toMatchObject({
          vpc_id: network.vpcId,
          tags: {
            "kubernetes.io/cluster/search-prod": "owned",
            "karpenter.sh/discovery": "search-prod",
          },
        });
        expect(s.tf.output.outputs.value.nodes).toBe(ref(`${nodeSg}.id`));
      });
    });
  });

  describe("add-ons", () => {
    it.each([
      ["vpc-cni", addons.vpcCni],
      ["coredns", addons.coredns],
      ["kube-proxy", addons.kubeProxy],
      ["eks-pod-identity-agent", addons.podIdentityAgent],
      ["aws-ebs-csi-driver", addons.ebsCsiDriver],
    ])("installs %s at the pinned version %s", (addonName, version) => {
      const s = synthCluster();
      const addon = Object.values(s.resources("aws_eks_addon")).find(
        (a) => a.addon_name === addonName,
      );
      expect(addon).toMatchObject({
        cluster_name: ref(`${only(s, "aws_eks_cluster")}.name`),
        addon_version: version,
        resolve_conflicts_on_create: "OVERWRITE",
        resolve_conflicts_on_update: "OVERWRITE",
      });
    });

    it("installs CloudWatch observability with its own Pod Identity role and encrypted, expiring log groups", () => {
      // GIVEN a pinned amazon-cloudwatch-observability version
      const s = synthCluster({
        addons: { ...addons, cloudWatchObservability: "v4.4.0-eksbuild.1" },
        logRetentionInDays: 30,
      });
      // THEN the add-on runs as the cloudwatch-agent service account under a role of its own
      const [roleAddress] = named(s, "aws_iam_role", "cloudwatch-observability-role");
      const addon = Object.values(s.resources("aws_eks_addon")).find(
        (a) => a.addon_name === "amazon-cloudwatch-observability",
      );
      expect(addon).toMatchObject({
        addon_version: "v4.4.0-eksbuild.1",
        pod_identity_association: [
          { role_arn: ref(`${roleAddress}.arn`), service_account: "cloudwatch-agent" },
        ],
      });
      // AND the groups it writes to exist first, encrypted with the logs key, with a retention
      const groups = Object.values(s.resources("aws_cloudwatch_log_group"))
        .filter((g) => String(g.name).startsWith("/aws/containerinsights/"))
        .map((g) => [g.name, g.kms_key_id, g.retention_in_days]);
      expect(groups).toEqual(
        ["application", "dataplane", "host", "performance"].map((kind) => [
          `/aws/containerinsights/search-prod/${kind}`,
          key("logs").arn,
          30,
        ]),
      );
    });

    it("leaves CloudWatch observability out unless a version is given", () => {
      const s = synthCluster();
      const names = Object.values(s.resources("aws_eks_addon")).map((a) => a.addon_name);
      expect(names).not.toContain("amazon-cloudwatch-observability");
    });

    it("turns on the VPC CNI's network policy agent, so NetworkPolicy objects are enforced", () => {
      const s = synthCluster();
      const cni = Object.values(s.resources("aws_eks_addon")).find(
        (a) => a.addon_name === "vpc-cni",
      );
      expect(JSON.parse(String(cni?.configuration_values))).toEqual({
        enableNetworkPolicy: "true",
      });
    });

    it.each([
      ["vpc-cni", "aws-node", "vpc-cni-role", ["AmazonEKS_CNI_Policy"]],
      [
        "aws-ebs-csi-driver",
        "ebs-csi-controller-sa",
        "ebs-csi-driver-role",
        ["AmazonEBSCSIDriverPolicy"],
      ],
    ])(
      "gives %s its AWS permissions through Pod Identity (%s)",
      (addonName, serviceAccount, roleFragment, managedPolicies) => {
        // GIVEN the cluster
        const s = synthCluster();
        const [roleAddress, role] = named(s, "aws_iam_role", roleFragment);
        // THEN the add-on associates its service account with a role of its own
        const addon = Object.values(s.resources("aws_eks_addon")).find(
          (a) => a.addon_name === addonName,
        )!;
        expect(addon.pod_identity_association).toEqual([
          { role_arn: ref(`${roleAddress}.arn`), service_account: serviceAccount },
        ]);
        // AND that role trusts EKS Pod Identity of this cluster only
        const [trust] = statements(s, role.assume_role_policy);
        expect(trust.principals).toEqual([
          { type: "Service", identifiers: ["pods.eks.amazonaws.com"] },
        ]);
        expect(trust.condition[1].values).toEqual([
          expect.stringMatching(/:cluster\/search-prod$/),
        ]);
        // AND holds the add-on's managed policy
        const attached = Object.values(s.resources("aws_iam_role_policy_attachment"))
          .filter((a) => a.role === ref(`${roleAddress}.name`))
          .map((a) => a.policy_arn.split("/").pop());
        expect(attached).toEqual(managedPolicies);
        // AND no separate association competes with the add-on's
        expect(Object.keys(s.resources("aws_eks_pod_identity_association"))).toEqual([]);
      },
    );

    it("lets the EBS CSI driver use the node volume key only for AWS resources", () => {
      const s = synthCluster();
      const [, policy] = named(s, "aws_iam_role_policy", "ebs-csi-driver-role");
      const [use, grant] = statements(s, policy.policy);
      expect(use.resources).toEqual([key("volumes").arn]);
      expect(grant).toMatchObject({
        actions: ["kms:CreateGrant"],
        resources: [key("volumes").arn],
        condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
      });
    });

    it("orders add-ons around the nodes: networking before them, Deployments after", () => {
      // GIVEN two node groups
      const batch = { name: "batch", instanceTypes: ["c7i.xlarge"], minSize: 0, maxSize: 3 };
      const s = synthCluster({ nodeGroups: [general, batch] });
      const addonAddress = (addonName: string) =>
        `aws_eks_addon.${Object.entries(s.resources("aws_eks_addon")).find(([, a]) => a.addon_name === addonName)![0]}`;
      const groups = Object.keys(s.resources("aws_eks_node_group")).map(
        (n) => `aws_eks_node_group.${n}`,
      );
      // THEN every node group waits for the CNI, kube-proxy and the Pod Identity agent
      for (const group of Object.values(s.resources("aws_eks_node_group"))) {
        expect(group.depends_on).toEqual(
          expect.arrayContaining(
            ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"].map(addonAddress),
          ),
        );
      }
      // AND CoreDNS and the EBS CSI controller wait for every node group
      for (const addonName of ["coredns", "aws-ebs-csi-driver"]) {
        const addon = s.resources("aws_eks_addon")[addonAddress(addonName).split(".")[1]];
        expect([...addon.depends_on].sort()).toEqual(groups.sort());
      }
    });
  });

  it("exposes the cluster's attributes and each node group's Auto Scaling group", () => {
    const s = synthCluster();
    const cluster = only(s, "aws_eks_cluster");
    const [nodeRole] = named(s, "aws_iam_role", "node-role");
    const group = only(s, "aws_eks_node_group");
    expect(s.tf.output.outputs.value).toEqual({
      name: ref(`${cluster}.name`),
      arn: ref(`${cluster}.arn`),
      endpoint: ref(`${cluster}.endpoint`),
      certificateAuthorityData: ref(`${cluster}.certificate_authority[0].data`),
      oidcIssuerUrl: ref(`${cluster}.identity[0].oidc[0].issuer`),
      version: ref(`${cluster}.version`),
      nodes: expect.any(String),
      clusterSecurityGroupId: ref(`${cluster}.vpc_config[0].cluster_security_group_id`),
      nodeRoleArn: ref(`${nodeRole}.arn`),
      nodeGroups: [
        {
          name: ref(`${group}.node_group_name`),
          autoscalingGroupName: ref(`${group}.resources[0].autoscaling_groups[0].name`),
        },
      ],
    });
  });

  describe("validation", () => {
    const group = (over: Partial<EksNodeGroupOptions>) => ({
      nodeGroups: [{ ...general, ...over }],
    });

    it.each<[string, Partial<EksClusterProps>, string]>([
      [
        "fails when the public endpoint has no CIDR allow-list",
        { endpointPublicAccess: true },
        "`endpointPublicAccessCidrs` must list at least one CIDR block when `endpointPublicAccess` is true (the public endpoint would be open to the internet)",
      ],
      [
        "fails when the public endpoint is opened to the internet",
        { endpointPublicAccess: true, endpointPublicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] },
        '`endpointPublicAccessCidrs[1]` must not open the API to the internet, got "0.0.0.0/0"',
      ],
      [
        "fails when an allow-list is given for a private-only endpoint",
        { endpointPublicAccessCidrs: ["203.0.113.0/24"] },
        "`endpointPublicAccessCidrs` must be empty when `endpointPublicAccess` is false, got [203.0.113.0/24]",
      ],
      [
        "fails when an allow-list entry is not a CIDR block",
        { endpointPublicAccess: true, endpointPublicAccessCidrs: ["203.0.113.7"] },
        '`endpointPublicAccessCidrs[0]` must be an IPv4 CIDR block like 10.0.0.0/16, got "203.0.113.7"',
      ],
      [
        "fails when the version is not a Kubernetes minor version",
        { version: "1.34.2" },
        '`version` must be a Kubernetes minor version like "1.34", got "1.34.2"',
      ],
      [
        "fails when the name is not an EKS cluster name",
        { name: "search prod" },
        '`name` must be 1-100 letters, digits, "-" or "_", starting with a letter or digit, got "search prod"',
      ],
      [
        "fails when an admin principal is not an IAM role or user ARN",
        { adminPrincipalArns: ["arn:aws:sts::123456789012:assumed-role/admin/me"] },
        '`adminPrincipalArns[0]` must be the ARN of an IAM role or user, got "arn:aws:sts::123456789012:assumed-role/admin/me"',
      ],
      [
        "fails when an admin principal repeats",
        {
          adminPrincipalArns: [
            "arn:aws:iam::123456789012:role/admin",
            "arn:aws:iam::123456789012:role/admin",
          ],
        },
        "`adminPrincipalArns` must not repeat a principal, got [arn:aws:iam::123456789012:role/admin, arn:aws:iam::123456789012:role/admin]",
      ],
      [
        "fails when an add-on version is not an EKS add-on version",
        { addons: { ...addons, coredns: "latest" } },
        '`addons.coredns` must be an EKS add-on version like "v1.20.4-eksbuild.1", got "latest"',
      ],
      [
        "fails when the log retention is not one CloudWatch accepts",
        { logRetentionInDays: 45 },
        "`logRetentionInDays` must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 45",
      ],
      [
        "fails when no node group is given",
        { nodeGroups: [] },
        "`nodeGroups` must list at least one node group (add-ons need nodes to run on)",
      ],
      [
        "fails when a node group name has characters names cannot hold",
        group({ name: "General_1" }),
        '`nodeGroups[0].name` must be lowercase letters, digits and dashes, starting with a letter, got "General_1"',
      ],
      [
        "fails when cluster and node group names leave no room for the generated suffix",
        group({ name: "a-very-long-node-group-name" }),
        '`nodeGroups[0].name` makes the node group name prefix "search-prod-a-very-long-node-group-name-" 40 characters long; cluster and node group names together allow 37',
      ],
      [
        "fails when a node group has no instance type",
        group({ instanceTypes: [] }),
        "`nodeGroups[0].instanceTypes` must list at least one instance type",
      ],
      [
        "fails when an instance type is malformed",
        group({ instanceTypes: ["m7i"] }),
        '`nodeGroups[0].instanceTypes[0]` must be an EC2 instance type like "m7i.large", got "m7i"',
      ],
      [
        "fails when a node group mixes CPU architectures",
        group({ instanceTypes: ["m7i.large", "m7g.large"] }),
        "`nodeGroups[0].instanceTypes` must all share one CPU architecture (one AMI per node group), got [m7i.large, m7g.large]",
      ],
      [
        "fails when minSize is negative",
        group({ minSize: -1, desiredSize: 0 }),
        "`nodeGroups[0].minSize` must be a whole number ≥ 0, got -1",
      ],
      [
        "fails when maxSize is zero",
        group({ minSize: 0, desiredSize: 0, maxSize: 0 }),
        "`nodeGroups[0].maxSize` must be a whole number ≥ 1, got 0",
      ],
      [
        "fails when minSize exceeds maxSize",
        group({ minSize: 5, desiredSize: 5, maxSize: 4 }),
        "`nodeGroups[0].minSize` must be ≤ maxSize (4), got 5",
      ],
      [
        "fails when desiredSize is outside minSize and maxSize",
        group({ desiredSize: 20 }),
        "`nodeGroups[0].desiredSize` must be between minSize (3) and maxSize (12), got 20",
      ],
      [
        "fails when the disk is smaller than 20 GiB",
        group({ diskSizeGiB: 10 }),
        "`nodeGroups[0].diskSizeGiB` must be a whole number from 20 to 16384, got 10",
      ],
      [
        "fails when maxUnavailablePercentage is out of range",
        group({ maxUnavailablePercentage: 0 }),
        "`nodeGroups[0].maxUnavailablePercentage` must be a whole number from 1 to 100, got 0",
      ],
      [
        "fails when two node groups share a name",
        { nodeGroups: [general, { ...general, instanceTypes: ["c7i.xlarge"] }] },
        "`nodeGroups` names must be unique, got [general, general]",
      ],
    ])("%s", (_name, props, message) => {
      expect(problems(props)).toEqual([message]);
    });

    it("reports every broken rule at once", () => {
      expect(problems({ version: "latest", endpointPublicAccess: true, nodeGroups: [] })).toEqual([
        '`version` must be a Kubernetes minor version like "1.34", got "latest"',
        "`endpointPublicAccessCidrs` must list at least one CIDR block when `endpointPublicAccess` is true (the public endpoint would be open to the internet)",
        "`nodeGroups` must list at least one node group (add-ons need nodes to run on)",
      ]);
    });
  });
});
