import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksNodeGroup, type EksNodeGroupConfig } from "@cdktf/provider-aws/lib/eks-node-group";
import type { Construct } from "constructs";
import { eksNodeGroupLaunchTemplate } from "../../../policies/rules/compute/eks-node-group-launch-template";
import { launchTemplateEbsEncrypted } from "../../../policies/rules/compute/launch-template-ebs-encrypted";
import { launchTemplateImdsHopLimit } from "../../../policies/rules/compute/launch-template-imds-hop-limit";
import { launchTemplateImdsv2 } from "../../../policies/rules/compute/launch-template-imdsv2";
import { eksAddonVersionPinned } from "../../../policies/rules/eks/eks-addon-version-pinned";
import { eksAuthModeApi } from "../../../policies/rules/eks/eks-auth-mode-api";
import { eksControlPlaneLogging } from "../../../policies/rules/eks/eks-control-plane-logging";
import { eksEndpointPrivate } from "../../../policies/rules/eks/eks-endpoint-private";
import { eksEndpointPrivateAccess } from "../../../policies/rules/eks/eks-endpoint-private-access";
import { eksEndpointPublicCidrs } from "../../../policies/rules/eks/eks-endpoint-public-cidrs";
import { eksSecretsEncryption } from "../../../policies/rules/eks/eks-secrets-encryption";
import { eksCluster, launchTemplate, variable } from "../support/aws";
import { compliant, fails, unreadable, type RuleCase } from "../support/cases";

const privateVpc = {
  subnetIds: ["subnet-0a", "subnet-0b"],
  endpointPrivateAccess: true,
  endpointPublicAccess: false,
};

function nodeGroup(scope: Construct, overrides: Partial<EksNodeGroupConfig> = {}): EksNodeGroup {
  const cluster = eksCluster(scope);
  const template = launchTemplate(scope);
  return new EksNodeGroup(scope, "general", {
    clusterName: cluster.name,
    nodeRoleArn: "arn:aws:iam::111122223333:role/nodes",
    subnetIds: ["subnet-0a", "subnet-0b"],
    scalingConfig: { minSize: 3, desiredSize: 3, maxSize: 6 },
    launchTemplate: { id: template.id, version: template.latestVersion.toString() },
    ...overrides,
  });
}

export const eksComputeCases: RuleCase[] = [
  // eks-secrets-encryption
  {
    rule: eksSecretsEncryption,
    name: "passes secrets under a customer-managed key",
    build: (s) => eksCluster(s),
    expect: compliant,
  },
  {
    rule: eksSecretsEncryption,
    name: "fails when secrets are not envelope-encrypted",
    build: (s) => eksCluster(s, { encryptionConfig: undefined }),
    expect: fails(/`encryption_config` does not cover `secrets`/),
  },
  {
    rule: eksSecretsEncryption,
    name: "fails when the key is the AWS managed one",
    build: (s) =>
      eksCluster(s, {
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: "alias/aws/eks" } },
      }),
    expect: fails(/is the AWS managed key "alias\/aws\/eks"/),
  },
  {
    rule: eksSecretsEncryption,
    name: "fails closed when the key ARN comes from a variable",
    build: (s) =>
      eksCluster(s, {
        encryptionConfig: {
          resources: ["secrets"],
          provider: { keyArn: variable(s, "key_arn").stringValue },
        },
      }),
    expect: unreadable(/`provider\.key_arn` is \$\{var\.key_arn\}/),
  },

  // eks-endpoint-private
  {
    rule: eksEndpointPrivate,
    name: "passes a private-only endpoint",
    build: (s) => eksCluster(s),
    expect: compliant,
  },
  {
    rule: eksEndpointPrivate,
    name: "fails when endpoint_public_access is not set (it defaults to true)",
    build: (s) =>
      eksCluster(s, { vpcConfig: { subnetIds: ["subnet-0a"], endpointPrivateAccess: true } }),
    expect: fails(/`vpc_config\.endpoint_public_access` is true \(or not set, which means true\)/),
  },
  {
    rule: eksEndpointPrivate,
    name: "fails closed when the flag comes from a variable",
    build: (s) =>
      eksCluster(s, {
        vpcConfig: {
          ...privateVpc,
          endpointPublicAccess: variable(s, "public", "bool").booleanValue,
        },
      }),
    expect: unreadable(/`vpc_config\.endpoint_public_access` is \$\{var\.public\}/),
  },

  // eks-endpoint-public-cidrs
  {
    rule: eksEndpointPublicCidrs,
    name: "passes a public endpoint limited to an office range",
    build: (s) =>
      eksCluster(s, {
        vpcConfig: {
          ...privateVpc,
          endpointPublicAccess: true,
          publicAccessCidrs: ["203.0.113.0/24"],
        },
      }),
    expect: compliant,
  },
  {
    rule: eksEndpointPublicCidrs,
    name: "fails when a public endpoint lists no ranges (AWS reads that as 0.0.0.0/0)",
    build: (s) => eksCluster(s, { vpcConfig: { ...privateVpc, endpointPublicAccess: true } }),
    expect: fails(/the public endpoint admits 0\.0\.0\.0\/0 \(the whole internet\)/),
  },
  {
    rule: eksEndpointPublicCidrs,
    name: "fails when a public endpoint admits ::/0 explicitly",
    build: (s) =>
      eksCluster(s, {
        vpcConfig: {
          ...privateVpc,
          endpointPublicAccess: true,
          publicAccessCidrs: ["203.0.113.0/24", "::/0"],
        },
      }),
    expect: fails(/admits ::\/0/),
  },
  {
    rule: eksEndpointPublicCidrs,
    name: "fails closed when the ranges come from a variable",
    build: (s) =>
      eksCluster(s, {
        vpcConfig: {
          ...privateVpc,
          endpointPublicAccess: true,
          publicAccessCidrs: variable(s, "cidrs", "list(string)").listValue,
        },
      }),
    expect: unreadable(/`vpc_config\.public_access_cidrs` is \$\{var\.cidrs\}/),
  },

  // eks-endpoint-private-access
  {
    rule: eksEndpointPrivateAccess,
    name: "passes when the private endpoint is on",
    build: (s) => eksCluster(s),
    expect: compliant,
  },
  {
    rule: eksEndpointPrivateAccess,
    name: "fails when the private endpoint is off by default",
    build: (s) =>
      eksCluster(s, {
        vpcConfig: {
          subnetIds: ["subnet-0a"],
          endpointPublicAccess: true,
          publicAccessCidrs: ["203.0.113.0/24"],
        },
      }),
    expect: fails(/`vpc_config\.endpoint_private_access` is false or not set/),
  },
  {
    rule: eksEndpointPrivateAccess,
    name: "fails closed when the flag comes from a variable",
    build: (s) =>
      eksCluster(s, {
        vpcConfig: {
          ...privateVpc,
          endpointPrivateAccess: variable(s, "private", "bool").booleanValue,
        },
      }),
    expect: unreadable(/\$\{var\.private\}/),
  },

  // eks-control-plane-logging
  {
    rule: eksControlPlaneLogging,
    name: "passes all five log types",
    build: (s) => eksCluster(s),
    expect: compliant,
  },
  {
    rule: eksControlPlaneLogging,
    name: "fails when audit and authenticator logs are off",
    build: (s) =>
      eksCluster(s, { enabledClusterLogTypes: ["api", "controllerManager", "scheduler"] }),
    expect: fails(/control-plane logs not enabled: audit, authenticator/),
  },
  {
    rule: eksControlPlaneLogging,
    name: "fails closed when the log types come from a variable",
    build: (s) =>
      eksCluster(s, { enabledClusterLogTypes: variable(s, "log_types", "list(string)").listValue }),
    expect: unreadable(/`enabled_cluster_log_types` is \$\{var\.log_types\}/),
  },

  // eks-auth-mode-api
  {
    rule: eksAuthModeApi,
    name: "passes access entries only",
    build: (s) => eksCluster(s),
    expect: compliant,
  },
  {
    rule: eksAuthModeApi,
    name: "fails when the aws-auth ConfigMap still grants access",
    build: (s) => eksCluster(s, { accessConfig: { authenticationMode: "API_AND_CONFIG_MAP" } }),
    expect: fails(/`access_config\.authentication_mode` is "API_AND_CONFIG_MAP", not "API"/),
  },
  {
    rule: eksAuthModeApi,
    name: "fails when the mode is not set",
    build: (s) => eksCluster(s, { accessConfig: undefined }),
    expect: fails(
      /`access_config\.authentication_mode` is not set \(EKS then keeps the aws-auth ConfigMap\)/,
    ),
  },
  {
    rule: eksAuthModeApi,
    name: "fails closed when the mode comes from a variable",
    build: (s) =>
      eksCluster(s, { accessConfig: { authenticationMode: variable(s, "mode").stringValue } }),
    expect: unreadable(/\$\{var\.mode\}/),
  },

  // eks-addon-version-pinned
  {
    rule: eksAddonVersionPinned,
    name: "passes an exact add-on version",
    build: (s) =>
      new EksAddon(s, "cni", {
        clusterName: "search",
        addonName: "vpc-cni",
        addonVersion: "v1.20.4-eksbuild.1",
      }),
    expect: compliant,
  },
  {
    rule: eksAddonVersionPinned,
    name: "fails when no version is set",
    build: (s) => new EksAddon(s, "cni", { clusterName: "search", addonName: "vpc-cni" }),
    expect: fails(/`addon_version` is not set: EKS installs its default/),
  },
  {
    rule: eksAddonVersionPinned,
    name: "fails on something that is not an exact version",
    build: (s) =>
      new EksAddon(s, "cni", {
        clusterName: "search",
        addonName: "vpc-cni",
        addonVersion: "latest",
      }),
    expect: fails(/`addon_version` is "latest", not an exact add-on version/),
  },
  {
    rule: eksAddonVersionPinned,
    name: "fails closed when the version comes from a variable",
    build: (s) =>
      new EksAddon(s, "cni", {
        clusterName: "search",
        addonName: "vpc-cni",
        addonVersion: variable(s, "v").stringValue,
      }),
    expect: unreadable(/\$\{var\.v\}/),
  },

  // eks-node-group-launch-template
  {
    rule: eksNodeGroupLaunchTemplate,
    name: "passes a node group on the stack's launch template",
    build: (s) => nodeGroup(s),
    expect: compliant,
  },
  {
    rule: eksNodeGroupLaunchTemplate,
    name: "fails when the node group has no launch template",
    build: (s) => nodeGroup(s, { launchTemplate: undefined }),
    expect: fails(/the node group has no `launch_template`/),
  },
  {
    rule: eksNodeGroupLaunchTemplate,
    name: "fails closed when the template is named by a literal id from outside the stack",
    build: (s) => nodeGroup(s, { launchTemplate: { id: "lt-0123456789abcdef0", version: "1" } }),
    expect: unreadable(
      /`launch_template\.id` is the literal "lt-0123456789abcdef0", expected a reference to a aws_launch_template/,
    ),
  },

  // launch-template-imdsv2
  {
    rule: launchTemplateImdsv2,
    name: "passes when IMDSv2 is required",
    build: (s) => launchTemplate(s),
    expect: compliant,
  },
  {
    rule: launchTemplateImdsv2,
    name: "passes when the metadata endpoint is off",
    build: (s) => launchTemplate(s, { metadataOptions: { httpEndpoint: "disabled" } }),
    expect: compliant,
  },
  {
    rule: launchTemplateImdsv2,
    name: "fails when IMDSv1 is accepted",
    build: (s) =>
      launchTemplate(s, {
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "optional",
          httpPutResponseHopLimit: 1,
        },
      }),
    expect: fails(/`metadata_options\.http_tokens` is "optional": IMDSv1 is accepted/),
  },
  {
    rule: launchTemplateImdsv2,
    name: "fails when http_tokens is not set",
    build: (s) => launchTemplate(s, { metadataOptions: undefined }),
    expect: fails(/`metadata_options\.http_tokens` is not set/),
  },
  {
    rule: launchTemplateImdsv2,
    name: "fails closed when http_tokens comes from a variable",
    build: (s) =>
      launchTemplate(s, { metadataOptions: { httpTokens: variable(s, "tokens").stringValue } }),
    expect: unreadable(/\$\{var\.tokens\}/),
  },

  // launch-template-imds-hop-limit
  {
    rule: launchTemplateImdsHopLimit,
    name: "passes a hop limit of 1",
    build: (s) => launchTemplate(s),
    expect: compliant,
  },
  {
    rule: launchTemplateImdsHopLimit,
    name: "fails when pods can reach IMDS (hop limit 2)",
    build: (s) =>
      launchTemplate(s, {
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 2,
        },
      }),
    expect: fails(/`metadata_options\.http_put_response_hop_limit` is 2: pods can reach IMDS/),
  },
  {
    rule: launchTemplateImdsHopLimit,
    name: "fails closed when the hop limit comes from a variable",
    build: (s) =>
      launchTemplate(s, {
        metadataOptions: {
          httpTokens: "required",
          httpPutResponseHopLimit: variable(s, "hops", "number").numberValue,
        },
      }),
    expect: unreadable(/\$\{var\.hops\}/),
  },

  // launch-template-ebs-encrypted
  {
    rule: launchTemplateEbsEncrypted,
    name: "passes volumes encrypted with a customer key",
    build: (s) => launchTemplate(s),
    expect: compliant,
  },
  {
    rule: launchTemplateEbsEncrypted,
    name: "fails an unencrypted root volume",
    build: (s) =>
      launchTemplate(s, {
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { encrypted: "false", volumeSize: 50 } },
        ],
      }),
    expect: fails(/\/dev\/xvda: `ebs\.encrypted` is false/),
  },
  {
    rule: launchTemplateEbsEncrypted,
    name: "fails when no volume is declared (encryption left to the account default)",
    build: (s) => launchTemplate(s, { blockDeviceMappings: undefined }),
    expect: fails(/no `block_device_mappings` with `ebs`/),
  },
  {
    rule: launchTemplateEbsEncrypted,
    name: "fails an encrypted volume under the AWS managed key",
    build: (s) =>
      launchTemplate(s, {
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }],
      }),
    expect: fails(/\/dev\/xvda: `ebs\.kms_key_id` is not set/),
  },
  {
    rule: launchTemplateEbsEncrypted,
    name: "fails closed when encryption comes from a variable",
    build: (s) =>
      launchTemplate(s, {
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { encrypted: variable(s, "enc").stringValue } },
        ],
      }),
    expect: unreadable(/`ebs\.encrypted` is \$\{var\.enc\}/),
  },
];
