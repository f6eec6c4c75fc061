import { IamServiceLinkedRole } from "@cdktf/provider-aws/lib/iam-service-linked-role";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { PlatformKeyPurpose, PlatformKeysProps } from "../../../constructs";
import { PlatformKeys } from "../../../constructs";
import { TerraformOutput } from "cdktf";
import type { TfBlock } from "../../support/synth";
import { problemsOf, ref, synth } from "../../support/synth";
// Types of the cdktf matchers that test/setup.ts registers (a global augmentation).

const PURPOSES: readonly [PlatformKeyPurpose, string][] = [
  ["clusterSecrets", "cluster-secrets"],
  ["nodeVolumes", "node-volumes"],
  ["database", "database"],
  ["cache", "cache"],
  ["logs", "logs"],
  ["alarms", "alarms"],
  ["registry", "registry"],
];

/** Synthesizes the keys, with each key reference's fields as outputs so tests can read them. */
function synthKeys(props: PlatformKeysProps = { namePrefix: "search-prod" }) {
  return synth((scope) => {
    const keys = new PlatformKeys(scope, "keys", props);
    for (const [purpose] of PURPOSES) {
      new TerraformOutput(scope, `${purpose}-arn`, { value: keys[purpose].arn });
      new TerraformOutput(scope, `${purpose}-key-id`, { value: keys[purpose].keyId });
    }
    return keys;
  });
}

/** The synthesized key of a purpose, its Terraform name and its policy statements. */
function keyOf(s: ReturnType<typeof synthKeys>, aliasSuffix: string) {
  const [name, key] = Object.entries(s.resources("aws_kms_key")).find(
    ([, k]) => k.tags.purpose === aliasSuffix,
  )!;
  const policyName = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(key.policy)![1];
  const statements = s.dataSources("aws_iam_policy_document")[policyName].statement as TfBlock[];
  const sid = (id: string) => statements.find((st) => st.sid === id);
  return { name, key, statements, sid };
}

const ACCOUNT = /^\$\{data\.aws_caller_identity\.[^.]+\.account_id\}$/;
const tokens = (s: ReturnType<typeof synthKeys>) => {
  const one = (type: string) => Object.keys(s.dataSources(type))[0];
  return {
    account: ref(`data.aws_caller_identity.${one("aws_caller_identity")}.account_id`),
    partition: ref(`data.aws_partition.${one("aws_partition")}.partition`),
    dnsSuffix: ref(`data.aws_partition.${one("aws_partition")}.dns_suffix`),
    region: ref(`data.aws_region.${one("aws_region")}.region`),
  };
};

function problems(props: PlatformKeysProps): readonly string[] {
  return problemsOf(() => synthKeys(props));
}

describe("PlatformKeys", () => {
  it("works with only its required props", () => {
    // GIVEN no props at all
    // WHEN it is synthesized
    const s = synth((scope) => new PlatformKeys(scope, "keys"));
    // THEN seven rotating keys and the HMAC key, each protected from destruction, with aliases
    // under the path name
    expect(Object.keys(s.resources("aws_kms_key"))).toHaveLength(8);
    expect(s.json).toHaveResourceWithProperties(KmsKey, {
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(Object.values(s.resources("aws_kms_alias")).map((a) => a.name)).toContain(
      "alias/test-keys/database",
    );
  });

  describe.each(PURPOSES)("the %s key", (purpose, aliasSuffix) => {
    it("is a symmetric key that rotates, waits 30 days before deletion and cannot be destroyed", () => {
      const { key } = keyOf(synthKeys(), aliasSuffix);
      expect(key).toMatchObject({
        key_usage: "ENCRYPT_DECRYPT",
        customer_master_key_spec: "SYMMETRIC_DEFAULT",
        enable_key_rotation: true,
        deletion_window_in_days: 30,
        lifecycle: { prevent_destroy: true },
      });
    });

    it(`is aliased alias/search-prod/${aliasSuffix} and exposed as a key reference`, () => {
      const s = synthKeys();
      const { name } = keyOf(s, aliasSuffix);
      expect(Object.values(s.resources("aws_kms_alias"))).toContainEqual({
        name: `alias/search-prod/${aliasSuffix}`,
        target_key_id: ref(`aws_kms_key.${name}.key_id`),
      });
      // The public field resolves to the key itself (consumers reference it, not the alias).
      expect(s.tf.output).toMatchObject({
        [`${purpose}-arn`]: { value: ref(`aws_kms_key.${name}.arn`) },
        [`${purpose}-key-id`]: { value: ref(`aws_kms_key.${name}.key_id`) },
      });
    });

    it("lets the account administer it, but not use it or grant itself use", () => {
      const s = synthKeys();
      const { sid } = keyOf(s, aliasSuffix);
      const admin = sid("AccountAdministersTheKey")!;
      expect(admin.principals).toEqual([
        { type: "AWS", identifiers: [`arn:${tokens(s).partition}:iam::${tokens(s).account}:root`] },
      ]);
      expect(admin.actions).toEqual(
        expect.arrayContaining(["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:EnableKey"]),
      );
      for (const use of ["kms:Encrypt", "kms:Decrypt", "kms:CreateGrant", "kms:*"]) {
        expect(admin.actions).not.toContain(use);
      }
      expect(admin.condition).toBeUndefined();
    });

    it("admits no anonymous principal and no kms:* anywhere", () => {
      const { statements } = keyOf(synthKeys(), aliasSuffix);
      for (const st of statements) {
        expect(st.effect).toBe("Allow");
        expect(st.actions).not.toContain("kms:*");
        for (const p of st.principals) expect(p.identifiers).not.toContain("*");
      }
    });
  });

  it.each<[string, string[]]>([
    ["cluster-secrets", ["eks"]],
    ["node-volumes", ["ec2"]],
    ["database", ["rds", "secretsmanager"]],
    ["cache", ["elasticache"]],
    ["alarms", ["sns"]],
    ["registry", ["ecr"]],
  ])("lets the account use the %s key only through %j", (aliasSuffix, services) => {
    // GIVEN the keys
    const s = synthKeys();
    const t = tokens(s);
    const { sid } = keyOf(s, aliasSuffix);
    const expectedConditions = [
      {
        test: "StringEquals",
        variable: "kms:ViaService",
        values: services.map((svc) => `${svc}.${t.region}.${t.dnsSuffix}`),
      },
      { test: "StringEquals", variable: "kms:CallerAccount", values: [t.account] },
    ];
    // THEN use is conditioned on the services and this account
    const use = sid("AccountUsesTheKeyThroughServices")!;
    expect(use.principals).toEqual([
      { type: "AWS", identifiers: [`arn:${t.partition}:iam::${t.account}:root`] },
    ]);
    expect(use.actions).toEqual([
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey*",
      "kms:ReEncrypt*",
    ]);
    expect(use.condition).toEqual(expectedConditions);
    // AND grants only for AWS resources created by those services
    const grants = sid("ServicesHoldGrantsForAwsResources")!;
    expect(grants.actions).toEqual(["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]);
    expect(grants.condition).toEqual([
      ...expectedConditions,
      { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] },
    ]);
  });

  describe("the audit HMAC key", () => {
    function auditHmac() {
      const s = synth((scope) => {
        const keys = new PlatformKeys(scope, "keys", { namePrefix: "search-prod" });
        new TerraformOutput(scope, "audit-hmac-arn", { value: keys.auditHmac.arn });
        return keys;
      });
      return { s, t: tokens(s), ...keyOf(s, "audit-hmac") };
    }

    it("is an HMAC_256 key for MACs, which AWS cannot rotate, and cannot be destroyed", () => {
      const { key } = auditHmac();
      expect(key).toMatchObject({
        key_usage: "GENERATE_VERIFY_MAC",
        customer_master_key_spec: "HMAC_256",
        enable_key_rotation: false,
        deletion_window_in_days: 30,
        lifecycle: { prevent_destroy: true },
      });
    });

    it("is aliased alias/search-prod/audit-hmac and exposed as a key reference", () => {
      const { s, name } = auditHmac();
      expect(Object.values(s.resources("aws_kms_alias"))).toContainEqual({
        name: "alias/search-prod/audit-hmac",
        target_key_id: ref(`aws_kms_key.${name}.key_id`),
      });
      expect(s.tf.output["audit-hmac-arn"]).toEqual({ value: ref(`aws_kms_key.${name}.arn`) });
    });

    it("lets the account administer it, and principals of the account that IAM allows compute and check MACs, nothing else", () => {
      const { statements, t } = auditHmac();
      const root = { type: "AWS", identifiers: [`arn:${t.partition}:iam::${t.account}:root`] };

      expect(statements.map((st) => st.sid)).toEqual([
        "AccountAdministersTheKey",
        "PrincipalsOfThisAccountAllowedByIamUseMacs",
      ]);
      expect(statements[0].actions).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/Mac$|crypt|GenerateDataKey|\*$/)]),
      );
      expect(statements[1]).toEqual({
        sid: "PrincipalsOfThisAccountAllowedByIamUseMacs",
        effect: "Allow",
        principals: [root],
        actions: ["kms:GenerateMac", "kms:VerifyMac"],
        resources: ["*"],
        condition: [{ test: "StringEquals", variable: "kms:CallerAccount", values: [t.account] }],
      });
    });
  });

  it("lets CloudWatch Logs use the logs key only for log groups of this account and region", () => {
    const s = synthKeys();
    const t = tokens(s);
    const { statements } = keyOf(s, "logs");
    // The account itself cannot use the logs key: only administration and CloudWatch Logs.
    expect(statements.map((st) => st.sid)).toEqual([
      "AccountAdministersTheKey",
      "CloudWatchLogsForLogGroupsOfThisAccount",
    ]);
    const logs = statements[1];
    expect(logs.principals).toEqual([
      { type: "Service", identifiers: [`logs.${t.region}.${t.dnsSuffix}`] },
    ]);
    expect(logs.condition).toEqual([
      {
        test: "ArnLike",
        variable: "kms:EncryptionContext:aws:logs:arn",
        values: [`arn:${t.partition}:logs:${t.region}:${t.account}:log-group:*`],
      },
    ]);
  });

  it("lets CloudWatch alarms of this account publish to the topic encrypted with the alarms key", () => {
    const s = synthKeys();
    const t = tokens(s);
    const alarms = keyOf(s, "alarms").sid("CloudWatchAlarmsOfThisAccountPublish")!;
    expect(alarms.principals).toEqual([
      { type: "Service", identifiers: ["cloudwatch.amazonaws.com"] },
    ]);
    expect(alarms.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(alarms.condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: [t.account] },
      {
        test: "ArnLike",
        variable: "aws:SourceArn",
        values: [`arn:${t.partition}:cloudwatch:${t.region}:${t.account}:alarm:*`],
      },
    ]);
  });

  describe("the node volumes key", () => {
    it("admits the Auto Scaling service-linked role, which launches the nodes", () => {
      const s = synthKeys();
      const t = tokens(s);
      const role = `arn:${t.partition}:iam::${t.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
      const { sid } = keyOf(s, "node-volumes");
      expect(sid("AutoScalingLaunchesEncryptedVolumes")).toMatchObject({
        principals: [{ type: "AWS", identifiers: [role] }],
        actions: expect.arrayContaining(["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"]),
      });
      expect(sid("AutoScalingGrantsForVolumes")).toMatchObject({
        principals: [{ type: "AWS", identifiers: [role] }],
        actions: ["kms:CreateGrant"],
        condition: [{ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
      });
      expect(Object.keys(s.resources("aws_iam_service_linked_role"))).toEqual([]);
    });

    it("creates the service-linked role and names it when asked", () => {
      const s = synthKeys({ namePrefix: "search-prod", createAutoScalingServiceLinkedRole: true });
      expect(s.json).toHaveResourceWithProperties(IamServiceLinkedRole, {
        aws_service_name: "autoscaling.amazonaws.com",
      });
      const [slrName] = Object.keys(s.resources("aws_iam_service_linked_role"));
      const grants = keyOf(s, "node-volumes").sid("AutoScalingGrantsForVolumes")!;
      expect(grants.principals).toEqual([
        { type: "AWS", identifiers: [ref(`aws_iam_service_linked_role.${slrName}.arn`)] },
      ]);
    });
  });

  it("admits each service principal on its own key only", () => {
    // GIVEN the keys
    const s = synthKeys();
    // THEN service principals and the Auto Scaling role appear on exactly one key each
    const principalsByKey = Object.fromEntries(
      PURPOSES.map(([, suffix]) => [
        suffix,
        keyOf(s, suffix)
          .statements.flatMap((st) => st.principals as TfBlock[])
          .flatMap((p) => p.identifiers as string[])
          .filter((id) => !id.endsWith(":root")),
      ]),
    );
    expect(principalsByKey).toEqual({
      "cluster-secrets": [],
      "node-volumes": [
        expect.stringContaining("AWSServiceRoleForAutoScaling"),
        expect.stringContaining("AWSServiceRoleForAutoScaling"),
      ],
      database: [],
      cache: [],
      logs: [expect.stringMatching(/^logs\./)],
      alarms: ["cloudwatch.amazonaws.com"],
      registry: [],
    });
  });

  it("lets a disposable environment destroy its keys, with a shorter deletion window", () => {
    const s = synthKeys({ preventDestroy: false, deletionWindowInDays: 7 });
    for (const key of Object.values(s.resources("aws_kms_key"))) {
      expect(key.lifecycle).toEqual({ prevent_destroy: false });
      expect(key.deletion_window_in_days).toBe(7);
    }
  });

  it("reads account, partition and region from data sources (no credentials at synth)", () => {
    const s = synthKeys();
    expect(Object.keys(s.dataSources("aws_caller_identity"))).toHaveLength(1);
    expect(Object.keys(s.dataSources("aws_partition"))).toHaveLength(1);
    expect(Object.keys(s.dataSources("aws_region"))).toHaveLength(1);
    expect(tokens(s).account).toMatch(ACCOUNT);
  });

  describe("validation", () => {
    it.each<[string, PlatformKeysProps, string]>([
      [
        "fails when the deletion window is shorter than 7 days",
        { deletionWindowInDays: 5 },
        "`deletionWindowInDays` must be a whole number from 7 to 30, got 5",
      ],
      [
        "fails when the deletion window is longer than 30 days",
        { deletionWindowInDays: 31 },
        "`deletionWindowInDays` must be a whole number from 7 to 30, got 31",
      ],
      [
        "fails when the deletion window is not whole days",
        { deletionWindowInDays: 7.5 },
        "`deletionWindowInDays` must be a whole number from 7 to 30, got 7.5",
      ],
      [
        "fails when the name prefix would make an AWS-reserved alias",
        { namePrefix: "aws" },
        '`namePrefix` must be 1-200 letters, digits, "_" or "-", and not "aws" (alias/aws/ is reserved for AWS managed keys), got "aws"',
      ],
      [
        "fails when the name prefix has characters aliases cannot hold",
        { namePrefix: "search prod" },
        '`namePrefix` must be 1-200 letters, digits, "_" or "-", and not "aws" (alias/aws/ is reserved for AWS managed keys), got "search prod"',
      ],
    ])("%s", (_name, props, message) => {
      expect(problems(props)).toEqual([message]);
    });
  });
});
