import { EksCluster as EksClusterResource } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { PodIdentityRoleProps } from "../../../constructs";
import { PodIdentityRole } from "../../../constructs";
import type { TfBlock } from "../../support/synth";
import { problemsOf, ref, synth } from "../../support/synth";
// Types of the cdktf matchers that test/setup.ts registers (a global augmentation).

const readDocuments = {
  sid: "ReadDocuments",
  effect: "Allow",
  actions: ["s3:GetObject"],
  resources: ["arn:aws:s3:::search-documents/*"],
};
const required: PodIdentityRoleProps = {
  clusterName: "search-prod",
  namespace: "search",
  serviceAccount: "search-service",
  policyStatements: [readDocuments],
};

function synthRole(props: Partial<PodIdentityRoleProps> = {}) {
  return synth((scope) => new PodIdentityRole(scope, "service-role", { ...required, ...props }));
}
function documentOf(s: ReturnType<typeof synthRole>, policyJson: string): TfBlock[] {
  const name = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policyJson)![1];
  return s.dataSources("aws_iam_policy_document")[name].statement;
}
function problems(props: Partial<PodIdentityRoleProps>): readonly string[] {
  return problemsOf(() => synthRole(props));
}

describe("PodIdentityRole", () => {
  it("works with only its required props", () => {
    // GIVEN a cluster name, a service account and one statement
    // WHEN it is synthesized
    const s = synth(
      (scope) =>
        new PodIdentityRole(scope, "service-role", {
          clusterName: "search-prod",
          namespace: "search",
          serviceAccount: "search-service",
          managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        }),
    );
    // THEN a role named after the construct path, associated with the service account
    expect(s.resource("aws_iam_role").name).toBe("test-service-role");
    expect(s.json).toHaveResourceWithProperties(EksPodIdentityAssociation, {
      cluster_name: "search-prod",
      namespace: "search",
      service_account: "search-service",
    });
  });

  it("trusts EKS Pod Identity only on behalf of the given cluster of this account", () => {
    // GIVEN the role
    const s = synthRole();
    const account = ref(
      `data.aws_caller_identity.${Object.keys(s.dataSources("aws_caller_identity"))[0]}.account_id`,
    );
    const partition = ref(
      `data.aws_partition.${Object.keys(s.dataSources("aws_partition"))[0]}.partition`,
    );
    const region = ref(`data.aws_region.${Object.keys(s.dataSources("aws_region"))[0]}.region`);
    // THEN its trust policy admits pods.eks.amazonaws.com, with session tags, from that cluster
    expect(documentOf(s, s.resource("aws_iam_role").assume_role_policy)).toEqual([
      {
        sid: "EksPodIdentityOfTheCluster",
        effect: "Allow",
        principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
        actions: ["sts:AssumeRole", "sts:TagSession"],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
          {
            test: "ArnEquals",
            variable: "aws:SourceArn",
            values: [`arn:${partition}:eks:${region}:${account}:cluster/search-prod`],
          },
        ],
      },
    ]);
  });

  it("associates the role with the namespace and service account", () => {
    const s = synthRole();
    const [roleName] = Object.keys(s.resources("aws_iam_role"));
    expect(s.resource("aws_eks_pod_identity_association")).toEqual({
      cluster_name: "search-prod",
      namespace: "search",
      service_account: "search-service",
      role_arn: ref(`aws_iam_role.${roleName}.arn`),
    });
  });

  it("grants the given statements as a structured inline policy", () => {
    const s = synthRole();
    const [roleName] = Object.keys(s.resources("aws_iam_role"));
    const inline = s.resource("aws_iam_role_policy");
    expect(inline.role).toBe(ref(`aws_iam_role.${roleName}.id`));
    expect(documentOf(s, inline.policy)).toEqual([readDocuments]);
  });

  it("attaches managed policies under IDs that follow the policy, not its position", () => {
    const s = synthRole({
      policyStatements: undefined,
      managedPolicyArns: [
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "arn:aws:iam::123456789012:policy/search/documents-writer",
      ],
    });
    const attachments = s.resources("aws_iam_role_policy_attachment");
    expect(
      Object.entries(attachments)
        .map(([name, a]) => [name.replace(/_[0-9A-F]{8}$/, ""), a.policy_arn])
        .sort(),
    ).toEqual([
      [
        "service-role_managed-policy-AmazonS3ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
      ],
      [
        "service-role_managed-policy-documents-writer",
        "arn:aws:iam::123456789012:policy/search/documents-writer",
      ],
    ]);
    expect(Object.keys(s.resources("aws_iam_role_policy"))).toEqual([]);
  });

  it("leaves the association to someone else when asked (an EKS add-on's)", () => {
    const s = synthRole({ createAssociation: false });
    expect(Object.keys(s.resources("aws_eks_pod_identity_association"))).toEqual([]);
    expect(s.built.associationId).toBeUndefined();
  });

  it("can live in another stack than the cluster's", () => {
    // GIVEN a cluster in one stack and the role in another
    const app = Testing.app();
    const infra = new TerraformStack(app, "infra");
    new AwsProvider(infra, "aws", { region: "eu-west-1" });
    const cluster = new EksClusterResource(infra, "cluster", {
      name: "search-prod",
      roleArn: "arn:aws:iam::123456789012:role/cluster",
      vpcConfig: { subnetIds: ["subnet-a", "subnet-b"] },
    });
    const workloads = new TerraformStack(app, "workloads");
    new AwsProvider(workloads, "aws", { region: "eu-west-1" });
    new PodIdentityRole(workloads, "service-role", { ...required, clusterName: cluster.name });
    // WHEN the app is synthesized (cross-stack references resolve only in an app synth)
    app.synth();
    const file = join(app.outdir, "stacks", "workloads", "cdk.tf.json");
    const tf = JSON.parse(readFileSync(file, "utf8"));
    rmSync(app.outdir, { recursive: true, force: true });
    // THEN the association reads the cluster's name from the infra stack's state
    const association = Object.values(
      tf.resource.aws_eks_pod_identity_association as Record<string, TfBlock>,
    )[0];
    expect(association.cluster_name).toMatch(/^\$\{data\.terraform_remote_state\.[^}]+\}$/);
    expect(workloads.dependencies).toContain(infra);
  });

  describe("validation", () => {
    it.each<[string, Partial<PodIdentityRoleProps>, string]>([
      [
        "fails when the namespace is not a Kubernetes name",
        { namespace: "Search" },
        '`namespace` must be a Kubernetes namespace name (at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit), got "Search"',
      ],
      [
        "fails when the namespace is longer than 63 characters",
        { namespace: "n".repeat(64) },
        `\`namespace\` must be a Kubernetes namespace name (at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit), got "${"n".repeat(64)}"`,
      ],
      [
        "fails when the service account is not a Kubernetes name",
        { serviceAccount: "search_service" },
        '`serviceAccount` must be a Kubernetes service account name (lowercase letters, digits, "-" and ".", at most 253), got "search_service"',
      ],
      [
        "fails when the cluster name is not an EKS cluster name",
        { clusterName: "-search" },
        '`clusterName` must be an EKS cluster name (1-100 letters, digits, "-" or "_", starting with a letter or digit), got "-search"',
      ],
      [
        "fails when the role name is not an IAM role name",
        { roleName: "search service" },
        '`roleName` must be 1-64 letters, digits or "+=,.@_-", got "search service"',
      ],
      [
        "fails when the role would grant nothing",
        { policyStatements: [], managedPolicyArns: [] },
        "`policyStatements` or `managedPolicyArns` must grant something; a role without permissions is of no use to a pod",
      ],
    ])("%s", (_name, props, message) => {
      expect(problems(props)).toEqual([message]);
    });
  });
});
