import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { Fn } from "cdktf";
import { iamPolicyNoAdminWildcard } from "../../../policies/rules/iam/iam-policy-no-admin-wildcard";
import { iamRoleTrustNoPublicPrincipal } from "../../../policies/rules/iam/iam-role-trust-no-public-principal";
import { kmsKeyPolicyNoPublicPrincipal } from "../../../policies/rules/kms/kms-key-policy-no-public-principal";
import { kmsKeyPolicyNoWildcardGrants } from "../../../policies/rules/kms/kms-key-policy-no-wildcard-grants";
import { kmsKeyRotation } from "../../../policies/rules/kms/kms-key-rotation";
import { ACCOUNT_ROOT, kmsKey, policyDocument, variable } from "../support/aws";
import { compliant, fails, notApplicable, unreadable, type RuleCase } from "../support/cases";
import { ref } from "../support/synth";

const podTrust = (scope: Parameters<typeof policyDocument>[0]) =>
  policyDocument(scope, "trust", [
    {
      actions: ["sts:AssumeRole", "sts:TagSession"],
      principals: [{ type: "Service", identifiers: ["pods.eks.amazonaws.com"] }],
    },
  ]);

export const kmsIamCases: RuleCase[] = [
  // kms-key-rotation
  {
    rule: kmsKeyRotation,
    name: "passes when rotation is on",
    build: (s) => kmsKey(s),
    expect: compliant,
  },
  {
    rule: kmsKeyRotation,
    name: "fails when rotation is not set (the provider's default is off)",
    build: (s) => kmsKey(s, "key", { enableKeyRotation: undefined }),
    expect: fails(/`enable_key_rotation` is false or not set/),
  },
  {
    rule: kmsKeyRotation,
    name: "fails closed when rotation comes from a variable",
    build: (s) =>
      kmsKey(s, "key", { enableKeyRotation: variable(s, "rotate", "bool").booleanValue }),
    expect: unreadable(
      /`enable_key_rotation` is \$\{var\.rotate\}, which cannot be read at synth time/,
    ),
  },
  {
    rule: kmsKeyRotation,
    name: "passes an asymmetric key, which cannot rotate",
    build: (s) =>
      kmsKey(s, "key", {
        enableKeyRotation: undefined,
        customerMasterKeySpec: "RSA_4096",
        keyUsage: "SIGN_VERIFY",
      }),
    expect: compliant,
  },
  {
    rule: kmsKeyRotation,
    name: "does not apply to an HMAC key, which AWS cannot rotate",
    build: (s) =>
      kmsKey(s, "key", {
        enableKeyRotation: undefined,
        customerMasterKeySpec: "HMAC_256",
        keyUsage: "GENERATE_VERIFY_MAC",
      }),
    expect: notApplicable,
  },
  {
    rule: kmsKeyRotation,
    name: "still judges the symmetric keys beside an HMAC key",
    build: (s) => {
      kmsKey(s, "mac", {
        enableKeyRotation: undefined,
        customerMasterKeySpec: "HMAC_256",
        keyUsage: "GENERATE_VERIFY_MAC",
      });
      kmsKey(s, "key", { enableKeyRotation: undefined });
    },
    expect: fails(/`enable_key_rotation` is false or not set/),
  },
  {
    rule: kmsKeyRotation,
    name: "fails closed when the key spec comes from a variable",
    build: (s) =>
      kmsKey(s, "key", {
        enableKeyRotation: undefined,
        customerMasterKeySpec: variable(s, "spec", "string").stringValue,
      }),
    expect: unreadable(
      /`customer_master_key_spec` is \$\{var\.spec\}, which cannot be read at synth time/,
    ),
  },
  {
    rule: kmsKeyRotation,
    name: "does not apply without keys",
    build: () => undefined,
    expect: notApplicable,
  },

  // kms-key-policy-no-wildcard-grants
  {
    rule: kmsKeyPolicyNoWildcardGrants,
    name: "passes when only the root has kms:*",
    build: (s) => kmsKey(s),
    expect: compliant,
  },
  {
    rule: kmsKeyPolicyNoWildcardGrants,
    name: "passes a key with KMS's default policy (root only)",
    build: (s) => kmsKey(s, "key", { policy: undefined }),
    expect: compliant,
  },
  {
    rule: kmsKeyPolicyNoWildcardGrants,
    name: "fails when a role gets kms:*",
    build: (s) =>
      kmsKey(s, "key", {
        policy: policyDocument(s, "wide", [
          {
            sid: "Root",
            actions: ["kms:*"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: [ACCOUNT_ROOT] }],
          },
          {
            sid: "App",
            actions: ["kms:*"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: ["arn:aws:iam::111122223333:role/app"] }],
          },
        ]).json,
      }),
    expect: fails(
      /statement "App" of the key policy grants every KMS action to AWS: arn:aws:iam::111122223333:role\/app/,
    ),
  },
  {
    rule: kmsKeyPolicyNoWildcardGrants,
    name: "fails when a separate aws_kms_key_policy grants a service kms:*",
    build: (s) => {
      const key = kmsKey(s, "key", { policy: undefined });
      new KmsKeyPolicy(s, "attached", {
        keyId: key.id,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "logs.amazonaws.com" },
              Action: "kms:*",
              Resource: "*",
            },
          ],
        }),
      });
    },
    expect: fails(/grants every KMS action to Service: logs\.amazonaws\.com/),
  },
  {
    rule: kmsKeyPolicyNoWildcardGrants,
    name: "fails closed when the policy is computed by a function",
    build: (s) => kmsKey(s, "key", { policy: Fn.jsonencode({ Statement: [] }) }),
    expect: unreadable(/`policy` is \$\{jsonencode\(.*cannot be read at synth time/),
  },

  // kms-key-policy-no-public-principal
  {
    rule: kmsKeyPolicyNoPublicPrincipal,
    name: "passes named principals",
    build: (s) => kmsKey(s),
    expect: compliant,
  },
  {
    rule: kmsKeyPolicyNoPublicPrincipal,
    name: "passes Principal * narrowed by kms:CallerAccount",
    build: (s) =>
      kmsKey(s, "key", {
        policy: policyDocument(s, "scoped", [
          {
            actions: ["kms:Decrypt"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: ["*"] }],
            condition: [
              { test: "StringEquals", variable: "kms:CallerAccount", values: ["111122223333"] },
              {
                test: "StringEquals",
                variable: "kms:ViaService",
                values: ["rds.eu-west-1.amazonaws.com"],
              },
            ],
          },
        ]).json,
      }),
    expect: compliant,
  },
  {
    rule: kmsKeyPolicyNoPublicPrincipal,
    name: "fails when Principal * has only a kms:ViaService condition",
    build: (s) =>
      kmsKey(s, "key", {
        policy: policyDocument(s, "open", [
          {
            sid: "Anyone",
            actions: ["kms:Decrypt"],
            resources: ["*"],
            principals: [{ type: "*", identifiers: ["*"] }],
            condition: [
              {
                test: "StringEquals",
                variable: "kms:ViaService",
                values: ["rds.eu-west-1.amazonaws.com"],
              },
            ],
          },
        ]).json,
      }),
    expect: fails(
      /statement "Anyone" of the key policy allows any principal \(kms:Decrypt\) with no condition on who calls/,
    ),
  },
  {
    rule: kmsKeyPolicyNoPublicPrincipal,
    name: "fails when a literal JSON policy allows everyone",
    build: (s) =>
      kmsKey(s, "key", {
        policy: JSON.stringify({
          Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:Encrypt", Resource: "*" }],
        }),
      }),
    expect: fails(/statement 1 of the key policy allows any principal/),
  },
  {
    rule: kmsKeyPolicyNoPublicPrincipal,
    name: "fails closed when the policy comes from a variable",
    build: (s) => kmsKey(s, "key", { policy: variable(s, "key_policy").stringValue }),
    expect: unreadable(/`policy` is \$\{var\.key_policy\}/),
  },

  // iam-role-trust-no-public-principal
  {
    rule: iamRoleTrustNoPublicPrincipal,
    name: "passes a role only EKS Pod Identity assumes",
    build: (s) => new IamRole(s, "role", { assumeRolePolicy: podTrust(s).json }),
    expect: compliant,
  },
  {
    rule: iamRoleTrustNoPublicPrincipal,
    name: "fails when anyone can assume the role",
    build: (s) =>
      new IamRole(s, "role", {
        assumeRolePolicy: policyDocument(s, "trust", [
          { actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] },
        ]).json,
      }),
    expect: fails(/statement 1 of the trust policy lets any principal assume the role/),
  },
  {
    rule: iamRoleTrustNoPublicPrincipal,
    name: "fails closed when the trust policy refers to a block outside the stack",
    build: (s) =>
      new IamRole(s, "role", {
        assumeRolePolicy: ref("data.aws_iam_policy_document.elsewhere.json"),
      }),
    expect: unreadable(/data\.aws_iam_policy_document\.elsewhere is not in this stack/),
  },

  // iam-policy-no-admin-wildcard
  {
    rule: iamPolicyNoAdminWildcard,
    name: "passes a policy listing its actions",
    build: (s) => {
      const role = new IamRole(s, "role", { assumeRolePolicy: podTrust(s).json });
      new IamRolePolicy(s, "inline", {
        role: role.name,
        policy: policyDocument(s, "connect", [
          {
            actions: ["rds-db:connect"],
            resources: ["arn:aws:rds-db:eu-west-1:111122223333:dbuser:cluster-X/search_app"],
          },
        ]).json,
      });
    },
    expect: compliant,
  },
  {
    rule: iamPolicyNoAdminWildcard,
    name: "fails when a policy allows every action",
    build: (s) =>
      new IamPolicy(s, "admin", {
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
        }),
      }),
    expect: fails(/`policy` allows every action/),
  },
  {
    rule: iamPolicyNoAdminWildcard,
    name: "fails when a role's inline policy allows everything through NotAction",
    build: (s) =>
      new IamRole(s, "role", {
        assumeRolePolicy: podTrust(s).json,
        inlinePolicy: [
          {
            name: "all",
            policy: JSON.stringify({
              Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
            }),
          },
        ],
      }),
    expect: fails(/`inline_policy\[0\]` allows every action/),
  },
  {
    rule: iamPolicyNoAdminWildcard,
    name: "fails closed when the policy document's actions come from a variable",
    build: (s) =>
      new IamPolicy(s, "policy", {
        policy: policyDocument(s, "doc", [
          { actions: variable(s, "actions", "list(string)").listValue, resources: ["*"] },
        ]).json,
      }),
    expect: unreadable(/cannot be read at synth time/),
  },
];
