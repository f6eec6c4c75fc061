import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { isKnown, resourceName, validateProps } from "../core";

export interface PodIdentityRoleProps {
  /**
   * The EKS cluster the service account lives in. Pass the cluster construct's `name` (a
   * token) rather than a literal so that the association waits for the cluster; from another
   * stack, the cross-stack reference does the same.
   */
  readonly clusterName: string;
  /** Kubernetes namespace of the service account. */
  readonly namespace: string;
  /** Name of the Kubernetes service account whose pods get the role. */
  readonly serviceAccount: string;
  /**
   * Permissions of the role, as IAM policy statements (an inline policy). At least one of
   * `policyStatements` and `managedPolicyArns` is needed.
   * @default - none
   * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document
   */
  readonly policyStatements?: readonly DataAwsIamPolicyDocumentStatement[];
  /**
   * Managed policies attached to the role, e.g. `arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy`.
   * @default - none
   */
  readonly managedPolicyArns?: readonly string[];
  /**
   * Create the `aws_eks_pod_identity_association`. Set false when something else associates
   * the role, e.g. an EKS add-on's `pod_identity_association`.
   * @default true
   */
  readonly createAssociation?: boolean;
  /**
   * Name of the IAM role (at most 64 characters).
   * @default - the construct's path (`resourceName`), e.g. "search-prod-workloads-service-role"
   */
  readonly roleName?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * An IAM role for the pods of one Kubernetes service account, through EKS Pod Identity: the
 * role trusts `pods.eks.amazonaws.com` (`sts:AssumeRole`, `sts:TagSession`) only on behalf of
 * the given cluster of this account (`aws:SourceAccount`, `aws:SourceArn`), and an
 * `aws_eks_pod_identity_association` binds it to the namespace and service account.
 *
 * Usable from any stack: it needs the cluster's name only, not the cluster construct, and no
 * OIDC provider.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
 */
export class PodIdentityRole extends Construct {
  public readonly roleArn: string;
  public readonly roleName: string;
  /** The association's id, when this construct created it. */
  public readonly associationId?: string;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    const policyStatements = props.policyStatements ?? [];
    const managedPolicyArns = props.managedPolicyArns ?? [];
    const createAssociation = props.createAssociation ?? true;
    const roleName = props.roleName ?? resourceName(this, undefined, 64);
    const { clusterName, namespace, serviceAccount } = props;

    validateProps("PodIdentityRole", [
      {
        violated: isKnown(clusterName) && !CLUSTER_NAME.test(clusterName),
        message: `\`clusterName\` must be an EKS cluster name (1-100 letters, digits, "-" or "_", starting with a letter or digit), got "${clusterName}"`,
      },
      {
        violated: isKnown(namespace) && (namespace.length > 63 || !DNS_LABEL.test(namespace)),
        message: `\`namespace\` must be a Kubernetes namespace name (at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit), got "${namespace}"`,
      },
      {
        violated:
          isKnown(serviceAccount) &&
          (serviceAccount.length > 253 || !DNS_SUBDOMAIN.test(serviceAccount)),
        message: `\`serviceAccount\` must be a Kubernetes service account name (lowercase letters, digits, "-" and ".", at most 253), got "${serviceAccount}"`,
      },
      {
        violated: isKnown(roleName) && !IAM_ROLE_NAME.test(roleName),
        message: `\`roleName\` must be 1-64 letters, digits or "+=,.@_-", got "${roleName}"`,
      },
      {
        violated: policyStatements.length === 0 && managedPolicyArns.length === 0,
        message:
          "`policyStatements` or `managedPolicyArns` must grant something; a role without permissions is of no use to a pod",
      },
    ]);

    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");
    const region = new DataAwsRegion(this, "region");
    const clusterArn = `arn:${partition.partition}:eks:${region.region}:${account.accountId}:cluster/${clusterName}`;

    const trust = new DataAwsIamPolicyDocument(this, "trust-policy", {
      statement: [
        {
          sid: "EksPodIdentityOfTheCluster",
          effect: "Allow",
          principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
          // Pod Identity passes the pod's namespace, service account and cluster as session tags.
          actions: ["sts:AssumeRole", "sts:TagSession"],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
            { test: "ArnEquals", variable: "aws:SourceArn", values: [clusterArn] },
          ],
        },
      ],
    });
    const role = new IamRole(this, "role", {
      name: roleName,
      description: `EKS Pod Identity: ${namespace}/${serviceAccount} on ${clusterName}`,
      assumeRolePolicy: trust.json,
    });
    this.roleArn = role.arn;
    this.roleName = role.name;

    if (policyStatements.length > 0) {
      const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
        statement: [...policyStatements],
      });
      new IamRolePolicy(this, "inline-policy", {
        name: "permissions",
        role: role.id,
        policy: permissions.json,
      });
    }
    managedPolicyArns.forEach(
      (policyArn, i) =>
        new IamRolePolicyAttachment(this, `managed-policy-${policyIdSuffix(policyArn, i)}`, {
          role: role.name,
          policyArn,
        }),
    );

    if (createAssociation) {
      this.associationId = new EksPodIdentityAssociation(this, "association", {
        clusterName,
        namespace,
        serviceAccount,
        roleArn: role.arn,
      }).associationId;
    }
  }
}

/**
 * A construct ID suffix that follows the policy, not its position in the list (IDs become
 * Terraform addresses: removing one policy must not move the others).
 */
function policyIdSuffix(policyArn: string, index: number): string {
  // The policy's name is the last path segment; the ARN's partition is often a token.
  const policyName = policyArn.split("/").slice(-1)[0];
  if (!isKnown(policyName) || policyName === "") return String(index);
  return policyName.replace(/[^A-Za-z0-9_-]/g, "-");
}
