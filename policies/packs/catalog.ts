/**
 * The policy table: every rule with what it requires (`info`), why (`explanation`), how bad a
 * finding is (`severity`), whether every environment runs it (`baseline`) and the controls it
 * evidences in each framework. Packs, reports, SARIF and RULES.md are all read from here.
 */
import type { PolicyRule, Severity } from "../model";
import { auroraBackupRetention } from "../rules/aurora/aurora-backup-retention";
import { auroraDeletionProtection } from "../rules/aurora/aurora-deletion-protection";
import { auroraFinalSnapshot } from "../rules/aurora/aurora-final-snapshot";
import { auroraForceSsl } from "../rules/aurora/aurora-force-ssl";
import { auroraIamAuth } from "../rules/aurora/aurora-iam-auth";
import { auroraInstancesPrivate } from "../rules/aurora/aurora-instances-private";
import { auroraLogExports } from "../rules/aurora/aurora-log-exports";
import { auroraManagedMasterPassword } from "../rules/aurora/aurora-managed-master-password";
import { auroraMultiAz } from "../rules/aurora/aurora-multi-az";
import { auroraPerformanceInsightsEncrypted } from "../rules/aurora/aurora-performance-insights-encrypted";
import { auroraStorageEncrypted } from "../rules/aurora/aurora-storage-encrypted";
import { eksNodeGroupLaunchTemplate } from "../rules/compute/eks-node-group-launch-template";
import { launchTemplateEbsEncrypted } from "../rules/compute/launch-template-ebs-encrypted";
import { launchTemplateImdsHopLimit } from "../rules/compute/launch-template-imds-hop-limit";
import { launchTemplateImdsv2 } from "../rules/compute/launch-template-imdsv2";
import { ecrImmutableTags } from "../rules/ecr/ecr-immutable-tags";
import { ecrKmsEncryption } from "../rules/ecr/ecr-kms-encryption";
import { ecrLifecyclePolicy } from "../rules/ecr/ecr-lifecycle-policy";
import { ecrNoForceDelete } from "../rules/ecr/ecr-no-force-delete";
import { ecrScanOnPush } from "../rules/ecr/ecr-scan-on-push";
import { eksAddonVersionPinned } from "../rules/eks/eks-addon-version-pinned";
import { eksAuthModeApi } from "../rules/eks/eks-auth-mode-api";
import { eksControlPlaneLogging } from "../rules/eks/eks-control-plane-logging";
import { eksEndpointPrivate } from "../rules/eks/eks-endpoint-private";
import { eksEndpointPrivateAccess } from "../rules/eks/eks-endpoint-private-access";
import { eksEndpointPublicCidrs } from "../rules/eks/eks-endpoint-public-cidrs";
import { eksSecretsEncryption } from "../rules/eks/eks-secrets-encryption";
import { elasticacheAtRestEncryption } from "../rules/elasticache/elasticache-at-rest-encryption";
import { elasticacheAuth } from "../rules/elasticache/elasticache-auth";
import { elasticacheAutomaticFailover } from "../rules/elasticache/elasticache-automatic-failover";
import { elasticacheInTransitEncryption } from "../rules/elasticache/elasticache-in-transit-encryption";
import { elasticacheLogDelivery } from "../rules/elasticache/elasticache-log-delivery";
import { elasticacheMultiAz } from "../rules/elasticache/elasticache-multi-az";
import { elasticacheSnapshots } from "../rules/elasticache/elasticache-snapshots";
import { elasticacheUserAuthentication } from "../rules/elasticache/elasticache-user-authentication";
import { iamPolicyNoAdminWildcard } from "../rules/iam/iam-policy-no-admin-wildcard";
import { iamRoleTrustNoPublicPrincipal } from "../rules/iam/iam-role-trust-no-public-principal";
import { kmsKeyPolicyNoPublicPrincipal } from "../rules/kms/kms-key-policy-no-public-principal";
import { kmsKeyPolicyNoWildcardGrants } from "../rules/kms/kms-key-policy-no-wildcard-grants";
import { kmsKeyRotation } from "../rules/kms/kms-key-rotation";
import { helmChartVersionPinned } from "../rules/kubernetes/helm-chart-version-pinned";
import { k8sDropAllCapabilities } from "../rules/kubernetes/k8s-drop-all-capabilities";
import { k8sHostNamespaces } from "../rules/kubernetes/k8s-host-namespaces";
import { k8sHpaBounds } from "../rules/kubernetes/k8s-hpa-bounds";
import { k8sImagePinned } from "../rules/kubernetes/k8s-image-pinned";
import { k8sNetworkPolicyCoverage } from "../rules/kubernetes/k8s-network-policy-coverage";
import { k8sNoPrivilegeEscalation } from "../rules/kubernetes/k8s-no-privilege-escalation";
import { k8sPdbCoverage } from "../rules/kubernetes/k8s-pdb-coverage";
import { k8sProbes } from "../rules/kubernetes/k8s-probes";
import { k8sReadOnlyRootFilesystem } from "../rules/kubernetes/k8s-read-only-root-filesystem";
import { k8sResources } from "../rules/kubernetes/k8s-resources";
import { k8sRunAsNonRoot } from "../rules/kubernetes/k8s-run-as-non-root";
import { k8sSeccompRuntimeDefault } from "../rules/kubernetes/k8s-seccomp-runtime-default";
import { statefulPreventDestroy } from "../rules/lifecycle/stateful-prevent-destroy";
import { logGroupAuditRetention } from "../rules/logs/log-group-audit-retention";
import { logGroupKms } from "../rules/logs/log-group-kms";
import { logGroupRetentionSet } from "../rules/logs/log-group-retention-set";
import { logGroupSecurityRetention } from "../rules/logs/log-group-security-retention";
import { alarmHasActions } from "../rules/monitoring/alarm-has-actions";
import { networkNatPerAz } from "../rules/network/network-nat-per-az";
import { sgDescription } from "../rules/network/sg-description";
import { sgNoPublicDataPorts } from "../rules/network/sg-no-public-data-ports";
import { sgNoPublicIngress } from "../rules/network/sg-no-public-ingress";
import { sgRuleDescription } from "../rules/network/sg-rule-description";
import { vpcDefaultSgClosed } from "../rules/network/vpc-default-sg-closed";
import { vpcFlowLogs } from "../rules/network/vpc-flow-logs";
import { secretsNoAwsAccessKeys } from "../rules/secrets/secrets-no-aws-access-keys";
import { secretsNoLiteralCredentials } from "../rules/secrets/secrets-no-literal-credentials";
import { secretsNoPrivateKeys } from "../rules/secrets/secrets-no-private-keys";
import { snsTopicEncrypted } from "../rules/sns/sns-topic-encrypted";
import { snsTopicPolicyNoPublic } from "../rules/sns/sns-topic-policy-no-public";
import { tagsProviderDefault } from "../rules/tags/tags-provider-default";
import type { Framework } from "./frameworks";

/** Control references per framework, e.g. `{ hipaa: ["164.312(a)(2)(iv)"], soc2: ["CC6.1"] }`. */
export type FrameworkControls = Readonly<Partial<Record<Framework, readonly string[]>>>;

/** Metadata of a check, whether a rule or the engine performs it. */
export interface CheckInfo {
  /** Stable id; equals the rule's `id`. */
  readonly id: string;
  /** What is required, in one line. */
  readonly info: string;
  /** Why: the risk a finding leaves open. */
  readonly explanation: string;
  readonly severity: Severity;
  readonly frameworks: FrameworkControls;
}

/** One row of the policy table. */
export interface PolicyEntry extends CheckInfo {
  /** In the baseline pack, which every environment runs. */
  readonly baseline: boolean;
  readonly rule: PolicyRule;
}

type EntryInput = Omit<PolicyEntry, "id" | "rule">;
const entry = (rule: PolicyRule, input: EntryInput): PolicyEntry => ({
  id: rule.id,
  ...input,
  rule,
});

// Controls cited by many rules.
const HIPAA_ENCRYPTION = "164.312(a)(2)(iv)";
const HIPAA_ACCESS = "164.312(a)(1)";
const HIPAA_AUDIT = "164.312(b)";
const HIPAA_INTEGRITY = "164.312(c)(1)";
const HIPAA_AUTHENTICATION = "164.312(d)";
const HIPAA_TRANSMISSION = "164.312(e)(1)";
const HIPAA_TRANSMISSION_ENCRYPTION = "164.312(e)(2)(ii)";
const HIPAA_BACKUP = "164.308(a)(7)(ii)(A)";
const HIPAA_DISASTER_RECOVERY = "164.308(a)(7)(ii)(B)";
const HIPAA_EMERGENCY_MODE = "164.308(a)(7)(ii)(C)";
const GDPR_ENCRYPTION = "Art. 32(1)(a)";
const GDPR_CIA = "Art. 32(1)(b)";
const GDPR_RESTORE = "Art. 32(1)(c)";
const GDPR_BREACH_RECORDS = "Art. 33(3)";

const encryptionAtRest = (pci: readonly string[] = ["3.5.1"]): FrameworkControls => ({
  hipaa: [HIPAA_ENCRYPTION],
  soc2: ["CC6.1"],
  "pci-dss": pci,
  gdpr: [GDPR_ENCRYPTION],
});
const encryptionInTransit: FrameworkControls = {
  hipaa: [HIPAA_TRANSMISSION_ENCRYPTION],
  soc2: ["CC6.7"],
  "pci-dss": ["4.2.1"],
  gdpr: [GDPR_ENCRYPTION],
};
const publicExposure = (pci: readonly string[]): FrameworkControls => ({
  hipaa: [HIPAA_TRANSMISSION],
  soc2: ["CC6.6"],
  "pci-dss": pci,
  gdpr: [GDPR_CIA],
});
const publicPrincipal: FrameworkControls = {
  hipaa: [HIPAA_ACCESS],
  soc2: ["CC6.1"],
  "pci-dss": ["7.2.1"],
  gdpr: [GDPR_CIA],
};
const serviceLogs: FrameworkControls = {
  hipaa: [HIPAA_AUDIT],
  soc2: ["CC7.2"],
  "pci-dss": ["10.2.1"],
  gdpr: [GDPR_BREACH_RECORDS],
};
const highAvailability: FrameworkControls = {
  hipaa: [HIPAA_DISASTER_RECOVERY, HIPAA_EMERGENCY_MODE],
  soc2: ["A1.2"],
  gdpr: [GDPR_CIA],
};
const backups: FrameworkControls = {
  hipaa: [HIPAA_BACKUP],
  soc2: ["A1.2"],
  gdpr: [GDPR_RESTORE],
};
const workloadHardening = (extra: FrameworkControls = {}): FrameworkControls => ({
  soc2: ["CC6.8"],
  "pci-dss": ["2.2.6"],
  ...extra,
});
const credentials = (pci: readonly string[]): FrameworkControls => ({
  hipaa: [HIPAA_AUTHENTICATION],
  soc2: ["CC6.1"],
  "pci-dss": pci,
  gdpr: [GDPR_CIA],
});

export const POLICY_TABLE: readonly PolicyEntry[] = [
  // --- KMS and IAM ----------------------------------------------------------------------------
  entry(kmsKeyRotation, {
    info: "Customer-managed symmetric KMS keys rotate their key material automatically.",
    explanation:
      "Rotation bounds how much data one key version protects and how long a leaked version stays useful; PCI DSS asks for a defined cryptoperiod.",
    severity: "high",
    baseline: true,
    frameworks: encryptionAtRest(["3.6.1", "3.7.4"]),
  }),
  entry(kmsKeyPolicyNoWildcardGrants, {
    info: "Key policies grant `kms:*` only to the account root; every other principal gets the actions it uses.",
    explanation:
      "A wildcard grant lets a service or role schedule the key's deletion or rewrite its policy, which destroys or exposes everything encrypted under it.",
    severity: "high",
    baseline: true,
    frameworks: {
      hipaa: [HIPAA_ACCESS],
      soc2: ["CC6.3"],
      "pci-dss": ["3.6.1", "7.2.2"],
      gdpr: [GDPR_CIA],
    },
  }),
  entry(kmsKeyPolicyNoPublicPrincipal, {
    info: 'Key policies allow `Principal: "*"` only with a condition naming the account, organization or source.',
    explanation:
      "An unconditioned wildcard principal makes the key usable by any AWS account: the data it protects is as good as unencrypted.",
    severity: "critical",
    baseline: true,
    frameworks: publicPrincipal,
  }),
  entry(iamRoleTrustNoPublicPrincipal, {
    info: "No IAM role's trust policy lets any principal assume it without a scoping condition.",
    explanation:
      "A role anyone can assume hands its permissions to every AWS account; pod roles are assumed by pods.eks.amazonaws.com only.",
    severity: "critical",
    baseline: true,
    frameworks: publicPrincipal,
  }),
  entry(iamPolicyNoAdminWildcard, {
    info: "No identity policy of the stack allows every action (`*` or `NotAction`).",
    explanation:
      "Administrator access in a workload or node role turns any compromise of that workload into a compromise of the account.",
    severity: "high",
    baseline: true,
    frameworks: {
      hipaa: [HIPAA_ACCESS],
      soc2: ["CC6.3"],
      "pci-dss": ["7.2.2", "7.2.5"],
      gdpr: ["Art. 25(2)"],
    },
  }),
  // --- EKS ------------------------------------------------------------------------------------
  entry(eksSecretsEncryption, {
    info: "Kubernetes secrets are envelope-encrypted with a customer-managed KMS key.",
    explanation:
      "Without it secrets sit in etcd protected only by disk encryption; with it, reading them needs the key, whose use is logged in CloudTrail.",
    severity: "high",
    baseline: true,
    frameworks: encryptionAtRest(["3.6.1", "8.3.2"]),
  }),
  entry(eksEndpointPrivate, {
    info: "The cluster API has no public endpoint (outside prod: waived, limited to known ranges).",
    explanation:
      "A public endpoint exposes the API server — and every authentication or API-server flaw — to the internet.",
    severity: "high",
    baseline: true,
    frameworks: publicExposure(["1.3.1", "1.4.1"]),
  }),
  entry(eksEndpointPublicCidrs, {
    info: "A public cluster endpoint, where there is one, admits listed ranges only, never 0.0.0.0/0.",
    explanation:
      "An endpoint open to 0.0.0.0/0 is probed continuously; restricting ranges removes it from the internet's reach.",
    severity: "critical",
    baseline: true,
    frameworks: publicExposure(["1.4.2"]),
  }),
  entry(eksEndpointPrivateAccess, {
    info: "The cluster's private endpoint is on.",
    explanation:
      "Nodes and in-VPC clients then reach the API without leaving the VPC, and turning the public endpoint off does not cut them off.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["CC6.6"], "pci-dss": ["1.4.1"] },
  }),
  entry(eksControlPlaneLogging, {
    info: "The control plane sends all five log types (api, audit, authenticator, controllerManager, scheduler) to CloudWatch.",
    explanation:
      "The audit and authenticator logs are the only record of who did what in the cluster; without them an incident cannot be reconstructed.",
    severity: "medium",
    baseline: false,
    frameworks: serviceLogs,
  }),
  entry(eksAuthModeApi, {
    info: 'Cluster access is granted through EKS access entries only (`authentication_mode = "API"`).',
    explanation:
      "Access entries are AWS API objects managed in code and logged in CloudTrail; the aws-auth ConfigMap can be edited by anyone with write access to kube-system.",
    severity: "medium",
    baseline: true,
    frameworks: {
      hipaa: [HIPAA_ACCESS],
      soc2: ["CC6.2", "CC6.3"],
      "pci-dss": ["7.2.1", "8.2.1"],
      gdpr: [GDPR_CIA],
    },
  }),
  entry(eksAddonVersionPinned, {
    info: "Every EKS add-on names an exact version.",
    explanation:
      "Without a version EKS installs its default, and an upgrade happens as a side effect of an unrelated apply instead of a reviewed change.",
    severity: "low",
    baseline: true,
    frameworks: { soc2: ["CC8.1"], "pci-dss": ["6.5.1"] },
  }),
  // --- Nodes ----------------------------------------------------------------------------------
  entry(eksNodeGroupLaunchTemplate, {
    info: "Every node group boots from a launch template of the stack.",
    explanation:
      "Only a launch template sets IMDSv2, the metadata hop limit and volume encryption in code; without one the nodes get EKS's defaults.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["CC6.1"], "pci-dss": ["2.2.1"] },
  }),
  entry(launchTemplateImdsv2, {
    info: "Launch templates require IMDSv2 session tokens (or turn the metadata endpoint off).",
    explanation:
      "IMDSv1 answers any GET, so a server-side request forgery in any pod or process can read the node role's credentials.",
    severity: "high",
    baseline: true,
    frameworks: { hipaa: [HIPAA_ACCESS], soc2: ["CC6.1"], "pci-dss": ["2.2.6"], gdpr: [GDPR_CIA] },
  }),
  entry(launchTemplateImdsHopLimit, {
    info: "Launch templates set the metadata response hop limit to 1.",
    explanation:
      "With a hop limit of 2 containers on the pod network reach IMDS and take the node role's credentials, bypassing per-pod roles.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["CC6.3"], "pci-dss": ["2.2.6", "7.2.5"] },
  }),
  entry(launchTemplateEbsEncrypted, {
    info: "Every EBS volume of a launch template is encrypted with a customer-managed key.",
    explanation:
      "Node volumes hold container images, logs and emptyDir data; unencrypted, a snapshot or a detached volume exposes them.",
    severity: "high",
    baseline: true,
    frameworks: encryptionAtRest(),
  }),
  // --- Network --------------------------------------------------------------------------------
  entry(vpcFlowLogs, {
    info: "Every VPC records all its traffic in flow logs.",
    explanation:
      "Flow logs are the record of which addresses talked to which during an incident; they cannot be produced after the fact.",
    severity: "high",
    baseline: true,
    frameworks: serviceLogs,
  }),
  entry(vpcDefaultSgClosed, {
    info: "Every VPC's default security group is managed and has no rules.",
    explanation:
      "The default group admits all traffic among its members and all egress; anything launched without a group lands in it.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["CC6.6"], "pci-dss": ["1.2.1", "1.3.1"] },
  }),
  entry(sgNoPublicDataPorts, {
    info: "No security group rule admits 0.0.0.0/0 or ::/0 to PostgreSQL (5432) or Redis (6379).",
    explanation:
      "Databases and caches are the data itself; an internet-reachable port is one credential leak or one CVE away from a breach.",
    severity: "critical",
    baseline: true,
    frameworks: publicExposure(["1.3.1", "1.4.2", "1.4.4"]),
  }),
  entry(sgNoPublicIngress, {
    info: "The internet reaches only ports 80 and 443 of load balancer security groups.",
    explanation:
      "Everything else — nodes, databases, caches — is reached from inside the VPC; any other public rule widens the attack surface.",
    severity: "high",
    baseline: true,
    frameworks: publicExposure(["1.3.1", "1.4.2"]),
  }),
  entry(sgRuleDescription, {
    info: "Every security group rule has a description.",
    explanation:
      "A reviewer must be able to tell what each opening is for; PCI DSS asks that every allowed port have a documented business need.",
    severity: "low",
    baseline: true,
    frameworks: { soc2: ["CC6.6"], "pci-dss": ["1.2.5"] },
  }),
  entry(sgDescription, {
    info: 'Every security group has a description other than the provider\'s "Managed by Terraform".',
    explanation:
      "The description is what the console and audits show; the default says nothing about what the group guards.",
    severity: "low",
    baseline: true,
    frameworks: { soc2: ["CC6.6"], "pci-dss": ["1.2.5"] },
  }),
  entry(networkNatPerAz, {
    info: "Every availability zone with subnets has its own NAT gateway.",
    explanation:
      "With one shared NAT gateway, losing its zone cuts every other zone off from image pulls and AWS APIs.",
    severity: "medium",
    baseline: true,
    frameworks: highAvailability,
  }),
  // --- Aurora ---------------------------------------------------------------------------------
  entry(auroraStorageEncrypted, {
    info: "Aurora storage is encrypted with a customer-managed KMS key.",
    explanation:
      "Storage, backups and snapshots hold every tenant's documents; a customer-managed key keeps who may decrypt them in the account's policy.",
    severity: "high",
    baseline: true,
    frameworks: encryptionAtRest(),
  }),
  entry(auroraManagedMasterPassword, {
    info: "RDS manages and rotates the master password in Secrets Manager; no password is in the configuration.",
    explanation:
      "A password in the configuration is in the repository, the plan and the state, and never rotates.",
    severity: "high",
    baseline: true,
    frameworks: credentials(["8.3.2", "8.6.2", "8.6.3"]),
  }),
  entry(auroraIamAuth, {
    info: "IAM database authentication is on.",
    explanation:
      "The service connects with 15-minute IAM tokens tied to its pod role instead of a long-lived shared password.",
    severity: "medium",
    baseline: true,
    frameworks: {
      hipaa: ["164.312(a)(2)(i)", HIPAA_AUTHENTICATION],
      soc2: ["CC6.1"],
      "pci-dss": ["8.2.1", "8.3.1"],
      gdpr: [GDPR_CIA],
    },
  }),
  entry(auroraForceSsl, {
    info: "The cluster parameter group sets `rds.force_ssl = 1`.",
    explanation:
      "Without it a misconfigured client sends credentials and query results in clear text inside the VPC.",
    severity: "high",
    baseline: true,
    frameworks: encryptionInTransit,
  }),
  entry(auroraBackupRetention, {
    info: "Automated backups are kept at least 7 days, 30 in prod, or more as configured.",
    explanation:
      "Backup retention is how far back a corruption or a bad migration can be undone; a day is often less than the time to notice.",
    severity: "high",
    baseline: true,
    frameworks: backups,
  }),
  entry(auroraDeletionProtection, {
    info: "Aurora clusters have deletion protection.",
    explanation:
      "A plan that replaces the cluster, or a console click, must not delete the database.",
    severity: "high",
    baseline: true,
    frameworks: { hipaa: [HIPAA_INTEGRITY], soc2: ["A1.2"], gdpr: [GDPR_CIA] },
  }),
  entry(auroraLogExports, {
    info: "The engine's logs are exported to CloudWatch Logs.",
    explanation:
      "Connection, authentication and error logs on the instance are lost with it; in CloudWatch they are retained, encrypted and searchable.",
    severity: "medium",
    baseline: false,
    frameworks: serviceLogs,
  }),
  entry(auroraPerformanceInsightsEncrypted, {
    info: "Performance Insights, where enabled, uses a customer-managed key.",
    explanation: "Performance Insights keeps query text, which can contain personal data.",
    severity: "medium",
    baseline: true,
    frameworks: encryptionAtRest(),
  }),
  entry(auroraMultiAz, {
    info: "Each cluster has a writer and at least one reader, spread over more than one availability zone.",
    explanation:
      "Failover promotes a reader in another zone in about a minute; without one, losing the writer's zone means waiting for a new instance.",
    severity: "high",
    baseline: true,
    frameworks: { ...highAvailability, gdpr: [GDPR_CIA, GDPR_RESTORE] },
  }),
  entry(auroraFinalSnapshot, {
    info: "Destroying a cluster leaves a final snapshot.",
    explanation:
      "The final snapshot is the last copy of the data when a cluster is removed on purpose or by mistake.",
    severity: "medium",
    baseline: true,
    frameworks: backups,
  }),
  entry(auroraInstancesPrivate, {
    info: "No database instance is publicly accessible.",
    explanation:
      "A public address makes the database reachable from the internet, subject only to security groups.",
    severity: "critical",
    baseline: true,
    frameworks: publicExposure(["1.4.4"]),
  }),
  // --- ElastiCache ----------------------------------------------------------------------------
  entry(elasticacheAtRestEncryption, {
    info: "Replication groups encrypt data at rest with a customer-managed key.",
    explanation:
      "Cached search results and snapshots hold tenant data; unencrypted they leak through snapshots and swap.",
    severity: "high",
    baseline: true,
    frameworks: encryptionAtRest(),
  }),
  entry(elasticacheInTransitEncryption, {
    info: 'Replication groups require TLS (transit encryption on, mode "required").',
    explanation:
      "Redis traffic carries cached results and AUTH credentials; without TLS anyone on the path reads them.",
    severity: "high",
    baseline: true,
    frameworks: encryptionInTransit,
  }),
  entry(elasticacheAuth, {
    info: "Clients authenticate: an RBAC user group, or an AUTH token from a secret store — never a literal.",
    explanation:
      "Without authentication any workload in the VPC can read, change or flush the cache and the rate limits.",
    severity: "high",
    baseline: true,
    frameworks: credentials(["8.3.1"]),
  }),
  entry(elasticacheUserAuthentication, {
    info: "Every ElastiCache user is switched off or authenticates with IAM or a password.",
    explanation:
      "An enabled user that needs no password — often the required `default` user — is an open door into the cache.",
    severity: "high",
    baseline: true,
    frameworks: credentials(["8.2.2", "8.3.1"]),
  }),
  entry(elasticacheAutomaticFailover, {
    info: "Replication groups fail over to a replica automatically.",
    explanation:
      "A failed primary is replaced by a replica in seconds instead of staying down until someone acts.",
    severity: "medium",
    baseline: true,
    frameworks: highAvailability,
  }),
  entry(elasticacheMultiAz, {
    info: "Replication groups run Multi-AZ: replicas in other zones, failover across zones.",
    explanation:
      "Replicas in other zones keep the cache (and the rate limiter) serving through the loss of a zone.",
    severity: "medium",
    baseline: true,
    frameworks: highAvailability,
  }),
  entry(elasticacheSnapshots, {
    info: "Snapshots are kept at least a day, 7 in prod.",
    explanation:
      "Rate-limit counters and locks can be restored after a loss instead of starting from nothing.",
    severity: "low",
    baseline: true,
    frameworks: backups,
  }),
  entry(elasticacheLogDelivery, {
    info: "The slow log and the engine log are delivered to CloudWatch Logs.",
    explanation:
      "Engine events (failovers, authentication failures) and slow commands are otherwise lost.",
    severity: "low",
    baseline: false,
    frameworks: { hipaa: [HIPAA_AUDIT], soc2: ["CC7.2"], "pci-dss": ["10.2.1"] },
  }),
  // --- Logs, alarms, topics -------------------------------------------------------------------
  entry(logGroupRetentionSet, {
    info: 'Every log group has a retention CloudWatch accepts (never "keep forever").',
    explanation:
      "Logs hold personal data; keeping them without end breaks storage limitation and grows cost without bound.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["C1.2"], gdpr: ["Art. 5(1)(e)"] },
  }),
  entry(logGroupAuditRetention, {
    info: "Log groups holding audit data keep it at least the compliance preset's minimum.",
    explanation:
      "HIPAA asks for six years of documentation (the preset keeps seven), SOX seven, PCI DSS one; a shorter retention deletes evidence the organisation must produce.",
    severity: "high",
    baseline: true,
    frameworks: {
      hipaa: ["164.316(b)(2)(i)", HIPAA_AUDIT],
      soc2: ["CC7.2"],
      "pci-dss": ["10.5.1"],
      gdpr: ["Art. 5(2)"],
    },
  }),
  entry(logGroupKms, {
    info: "Log groups are encrypted with a customer-managed KMS key.",
    explanation:
      "With the account's own key, reading the logs needs both CloudWatch and KMS permissions, and destroying the key shreds them.",
    severity: "medium",
    baseline: false,
    frameworks: encryptionAtRest(["3.5.1", "10.3.2"]),
  }),
  entry(logGroupSecurityRetention, {
    info: "Log groups with security records (flow, control-plane, database, cache, audit) keep a year or more.",
    explanation:
      "PCI DSS 10.5.1 asks for twelve months of audit log history, three of them immediately available.",
    severity: "medium",
    baseline: false,
    frameworks: { "pci-dss": ["10.5.1"] },
  }),
  entry(alarmHasActions, {
    info: "Every alarm notifies someone when it fires.",
    explanation: "An alarm without actions changes state in the console and nobody learns of it.",
    severity: "low",
    baseline: true,
    frameworks: { hipaa: ["164.308(a)(6)(ii)"], soc2: ["CC7.3"], "pci-dss": ["10.7.2"] },
  }),
  entry(snsTopicEncrypted, {
    info: "SNS topics are encrypted with a customer-managed key.",
    explanation:
      "Alarm messages name resources and thresholds; a customer-managed key controls who can read queued messages.",
    severity: "medium",
    baseline: true,
    frameworks: { hipaa: [HIPAA_ENCRYPTION], soc2: ["CC6.1"], gdpr: [GDPR_ENCRYPTION] },
  }),
  entry(snsTopicPolicyNoPublic, {
    info: "No topic policy lets any principal act without a condition narrowing who.",
    explanation: "A public topic lets anyone publish fake alarms or subscribe to real ones.",
    severity: "high",
    baseline: true,
    frameworks: publicPrincipal,
  }),
  // --- ECR ------------------------------------------------------------------------------------
  entry(ecrImmutableTags, {
    info: "Repositories have immutable tags.",
    explanation:
      "A mutable tag can be re-pointed at another image after review; an immutable one always names what was tested.",
    severity: "high",
    baseline: true,
    frameworks: { hipaa: [HIPAA_INTEGRITY], soc2: ["CC8.1"], "pci-dss": ["6.5.1"] },
  }),
  entry(ecrScanOnPush, {
    info: "Images are scanned for vulnerabilities on push (or by enhanced registry scanning).",
    explanation: "Known-vulnerable packages are found before the image runs, not after.",
    severity: "medium",
    baseline: true,
    frameworks: {
      hipaa: ["164.308(a)(5)(ii)(B)"],
      soc2: ["CC7.1"],
      "pci-dss": ["6.3.1", "11.3.1"],
    },
  }),
  entry(ecrKmsEncryption, {
    info: "Repositories encrypt images with a customer-managed key.",
    explanation:
      "Images carry the service's code and configuration; the account's key controls who may pull their layers.",
    severity: "low",
    baseline: true,
    frameworks: { soc2: ["CC6.1"] },
  }),
  entry(ecrLifecyclePolicy, {
    info: "Every repository has a lifecycle policy.",
    explanation:
      "Old and untagged images pile up, cost storage and keep vulnerable versions deployable.",
    severity: "low",
    baseline: true,
    frameworks: { soc2: ["CC7.1"] },
  }),
  entry(ecrNoForceDelete, {
    info: "Repositories are not force-deleted with their images.",
    explanation:
      "A destroy (or a replacement) with force_delete removes every image, including the one running in production.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["A1.2", "CC8.1"] },
  }),
  // --- Stack-wide -----------------------------------------------------------------------------
  entry(tagsProviderDefault, {
    info: "Every AWS provider tags resources with environment, service, owner and compliance-preset.",
    explanation:
      "Tags are how cost, ownership and data-handling rules are told from any resource; the inventory auditors ask for is built from them.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["CC6.1"], "pci-dss": ["12.5.1"], gdpr: ["Art. 5(2)", "Art. 30"] },
  }),
  entry(secretsNoLiteralCredentials, {
    info: "No password, token, secret or key is written as a literal anywhere in the stack.",
    explanation:
      "A literal lands in the repository, every plan and the state file, and rotating it means a code change.",
    severity: "critical",
    baseline: true,
    frameworks: credentials(["8.3.2", "8.6.2"]),
  }),
  entry(secretsNoAwsAccessKeys, {
    info: "No AWS access key id appears in the stack.",
    explanation: "Access keys are long-lived credentials; the platform uses roles everywhere.",
    severity: "critical",
    baseline: true,
    frameworks: credentials(["8.6.2"]),
  }),
  entry(secretsNoPrivateKeys, {
    info: "No private key (PEM, or PEM in base64) appears in the stack.",
    explanation:
      "A private key in configuration is readable by everyone with access to the repository or the state.",
    severity: "critical",
    baseline: true,
    frameworks: credentials(["3.6.1", "8.6.2"]),
  }),
  entry(statefulPreventDestroy, {
    info: "In prod, Aurora clusters and instances, the replication group, KMS keys and ECR repositories set `lifecycle.prevent_destroy`.",
    explanation:
      "A renamed construct id or a forced replacement plans a destroy; prevent_destroy makes Terraform refuse the whole plan instead.",
    severity: "high",
    baseline: true,
    frameworks: { hipaa: [HIPAA_INTEGRITY], soc2: ["A1.2", "CC8.1"], gdpr: [GDPR_CIA] },
  }),
  // --- Kubernetes -----------------------------------------------------------------------------
  entry(k8sProbes, {
    info: "Containers of long-running workloads have liveness, readiness and startup probes.",
    explanation:
      "Traffic then reaches only ready pods, hung pods restart, and slow starts are not killed mid-boot.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["CC7.2"], gdpr: [GDPR_CIA] },
  }),
  entry(k8sResources, {
    info: "Containers request CPU and memory and set a memory limit.",
    explanation:
      "Requests place pods on real capacity; a memory limit keeps one leaking pod from starving its node.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["A1.1"], gdpr: [GDPR_CIA] },
  }),
  entry(k8sRunAsNonRoot, {
    info: "Containers run as a non-root user (`runAsNonRoot`).",
    explanation: "Root in a container is one kernel or runtime flaw away from root on the node.",
    severity: "high",
    baseline: true,
    frameworks: workloadHardening({ hipaa: [HIPAA_ACCESS], gdpr: [GDPR_CIA] }),
  }),
  entry(k8sReadOnlyRootFilesystem, {
    info: "Containers have a read-only root filesystem.",
    explanation:
      "An attacker cannot drop tools or modify the application in the container; writable paths are explicit.",
    severity: "medium",
    baseline: true,
    frameworks: workloadHardening({ hipaa: [HIPAA_INTEGRITY] }),
  }),
  entry(k8sNoPrivilegeEscalation, {
    info: "Containers are not privileged and set `allowPrivilegeEscalation: false`.",
    explanation:
      "Privileged containers own the node; privilege escalation lets setuid binaries regain what was dropped.",
    severity: "high",
    baseline: true,
    frameworks: workloadHardening({ hipaa: [HIPAA_ACCESS], gdpr: [GDPR_CIA] }),
  }),
  entry(k8sDropAllCapabilities, {
    info: "Containers drop all Linux capabilities (adding back at most NET_BIND_SERVICE).",
    explanation:
      "The default capability set includes NET_RAW and others an application server never needs.",
    severity: "medium",
    baseline: true,
    frameworks: workloadHardening(),
  }),
  entry(k8sSeccompRuntimeDefault, {
    info: "Containers run under the RuntimeDefault (or a Localhost) seccomp profile.",
    explanation:
      "Without a profile containers run Unconfined and can call every syscall the kernel offers.",
    severity: "medium",
    baseline: true,
    frameworks: workloadHardening(),
  }),
  entry(k8sHostNamespaces, {
    info: "Pods do not use the node's network, PID or IPC namespaces.",
    explanation:
      "Host namespaces let a pod see and reach the node's processes and interfaces, bypassing network policy.",
    severity: "high",
    baseline: true,
    frameworks: workloadHardening({ hipaa: [HIPAA_ACCESS], gdpr: [GDPR_CIA] }),
  }),
  entry(k8sImagePinned, {
    info: "Images are pinned by version tag or digest, never `latest` or untagged.",
    explanation:
      "A floating tag deploys whatever was pushed last; rollbacks and reviews stop meaning anything.",
    severity: "high",
    baseline: true,
    frameworks: { hipaa: [HIPAA_INTEGRITY], soc2: ["CC8.1"], "pci-dss": ["6.5.1"] },
  }),
  entry(k8sPdbCoverage, {
    info: "A PodDisruptionBudget covers the pods of every long-running workload.",
    explanation: "Node drains during upgrades or scale-in otherwise evict every replica at once.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["A1.1"], gdpr: [GDPR_CIA] },
  }),
  entry(k8sNetworkPolicyCoverage, {
    info: "A NetworkPolicy restricts ingress to the pods of every long-running workload.",
    explanation:
      "Without one, any pod in the cluster can reach the service and, through it, the data stores' credentials.",
    severity: "high",
    baseline: true,
    frameworks: publicExposure(["1.3.1"]),
  }),
  entry(k8sHpaBounds, {
    info: "Autoscalers keep at least 2 replicas in prod, and their minimum is no larger than their maximum.",
    explanation:
      "One replica is one node failure away from an outage; inverted bounds are rejected or pin the workload.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["A1.1"], gdpr: [GDPR_CIA] },
  }),
  entry(helmChartVersionPinned, {
    info: "Helm releases from a repository name an exact chart version.",
    explanation:
      "Without one the newest chart is installed at apply time, an unreviewed upgrade of a cluster component.",
    severity: "medium",
    baseline: true,
    frameworks: { soc2: ["CC8.1"], "pci-dss": ["6.5.1"] },
  }),
];

/**
 * Checks the engine performs on the waivers themselves; they appear in reports, SARIF and
 * RULES.md like rules but cannot be waived.
 */
export const WAIVER_CHECKS = {
  expired: {
    id: "waiver-expired",
    info: "A waiver past its expiry date no longer applies and is reported.",
    explanation:
      "A waiver is a risk accepted for a time; when it lapses the finding counts again and the waiver must be renewed with a new reason, or removed.",
    severity: "high",
    frameworks: { hipaa: ["164.308(a)(1)(ii)(B)"], soc2: ["CC3.2"], "pci-dss": ["12.3.1"] },
  },
  invalid: {
    id: "waiver-invalid",
    info: "A waiver names a rule that does not exist (or one of these waiver checks).",
    explanation:
      "A waiver for an unknown rule waives nothing and usually means a typo or a renamed rule.",
    severity: "high",
    frameworks: { soc2: ["CC3.2"] },
  },
  unused: {
    id: "waiver-unused",
    info: "A waiver matched no finding in any stack of its environment.",
    explanation:
      "Stale waivers hide what is really accepted; remove it, or fix its resource address.",
    severity: "low",
    frameworks: { soc2: ["CC3.2"] },
  },
} as const satisfies Record<string, CheckInfo>;

export const WAIVER_CHECK_INFO: readonly CheckInfo[] = Object.values(WAIVER_CHECKS);

/** Metadata of every check, rules and waiver checks, by id. */
export const CHECKS_BY_ID: ReadonlyMap<string, CheckInfo> = new Map(
  [...POLICY_TABLE, ...WAIVER_CHECK_INFO].map((c) => [c.id, c]),
);
