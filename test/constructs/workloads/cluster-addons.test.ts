import { Testing, TerraformStack } from "cdktf";
import {
  ADDON_CHART_DEFAULTS,
  ClusterAddons,
  type ClusterAddonsProps,
  COUNTED_HISTOGRAMS,
  searchServiceMetricDeclarations,
} from "../../../constructs/workloads";
import { problemsOf } from "../../support/synth";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!cluster-abc-123456";

function props(overrides: Partial<ClusterAddonsProps> = {}): ClusterAddonsProps {
  return {
    clusterName: "search-test",
    region: "eu-west-1",
    vpcId: "vpc-0123456789abcdef0",
    readableSecretArns: [SECRET],
    namePrefix: "search-test",
    metrics: {
      cloudWatchNamespace: "SearchPlatform/test",
      scrapeNamespaces: ["search"],
      declarations: searchServiceMetricDeclarations(),
      countedHistograms: COUNTED_HISTOGRAMS,
      logGroupName: "/search/test/service-metrics",
      logsKey: { arn: "arn:aws:kms:eu-west-1:111111111111:key/logs", keyId: "logs" },
    },
    ...overrides,
  };
}

function synth(overrides: Partial<ClusterAddonsProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), "test");
  new ClusterAddons(stack, "addons", props(overrides));
  return JSON.parse(Testing.synth(stack)) as Json;
}

const releases = (json: Json): Record<string, Json> =>
  Object.fromEntries(
    Object.values(json.resource.helm_release as Json).map((r: Json) => [r.name, r]),
  );
const valuesOf = (release: Json): Json => JSON.parse(release.values[0]);
/** The inline policy statements of the Pod Identity role whose id contains `role`. */
const statementsOf = (json: Json, role: string): Json[] =>
  Object.entries(json.data.aws_iam_policy_document as Json)
    .filter(([id]) => id.startsWith(`addons_${role}_permissions`))
    .flatMap(([, doc]) => doc.statement as Json[]);

describe("ClusterAddons", () => {
  const json = synth();
  const byName = releases(json);

  it.each([
    ["metrics-server", ADDON_CHART_DEFAULTS.metricsServer, "kube-system"],
    ["aws-load-balancer-controller", ADDON_CHART_DEFAULTS.awsLoadBalancerController, "kube-system"],
    ["external-secrets", ADDON_CHART_DEFAULTS.externalSecrets, "external-secrets"],
    ["cluster-autoscaler", ADDON_CHART_DEFAULTS.clusterAutoscaler, "kube-system"],
    ["metrics-collector", ADDON_CHART_DEFAULTS.openTelemetryCollector, "observability"],
  ])(
    "installs %s %s atomically from an HTTPS repository, and waits for it",
    (name, version, ns) => {
      expect(byName[name]).toMatchObject({
        version,
        namespace: ns,
        atomic: true,
        wait: true,
        cleanup_on_fail: true,
        timeout: 600,
        repository: expect.stringMatching(/^https:\/\//),
      });
    },
  );

  it("installs the versions it is given", () => {
    const pinned = releases(synth({ versions: { metricsServer: "3.12.2" } }));
    expect(pinned["metrics-server"].version).toBe("3.12.2");
    expect(pinned["external-secrets"].version).toBe(ADDON_CHART_DEFAULTS.externalSecrets);
  });

  it("associates each controller's service account with its own role", () => {
    const associations = Object.values(json.resource.aws_eks_pod_identity_association as Json).map(
      (a: Json) => `${a.namespace}/${a.service_account}`,
    );
    expect(associations.sort()).toEqual([
      "external-secrets/external-secrets",
      "kube-system/aws-load-balancer-controller",
      "kube-system/cluster-autoscaler",
      "observability/metrics-collector",
    ]);
    // the pods start after their association exists (the annotation names it)
    for (const name of [
      "aws-load-balancer-controller",
      "external-secrets",
      "cluster-autoscaler",
      "metrics-collector",
    ]) {
      expect(
        valuesOf(byName[name]).podAnnotations["search-platform/pod-identity-association"],
      ).toMatch(/^\$\{aws_eks_pod_identity_association\./);
    }
  });

  it("gives the load balancer controller the upstream policy, scoped by its cluster tag", () => {
    const statements = statementsOf(json, "load-balancer-controller-role");
    const actions = statements.flatMap((s) => s.actions as string[]);
    expect(actions).toEqual(
      expect.arrayContaining([
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:DescribeListenerAttributes",
        "ec2:GetSecurityGroupsForVpc",
        "elasticloadbalancing:SetRulePriorities",
      ]),
    );
    const create = statements.find((s) =>
      (s.actions as string[]).includes("elasticloadbalancing:CreateLoadBalancer"),
    )!;
    expect(create.condition).toEqual([
      { test: "Null", variable: "aws:RequestTag/elbv2.k8s.aws/cluster", values: ["false"] },
    ]);
    expect(valuesOf(byName["aws-load-balancer-controller"])).toMatchObject({
      clusterName: "search-test",
      region: "eu-west-1",
      vpcId: "vpc-0123456789abcdef0",
      enableServiceMutatorWebhook: false,
    });
  });

  it("lets the secrets operator read the listed secrets only, decrypting through Secrets Manager", () => {
    expect(statementsOf(json, "external-secrets-role")).toEqual([
      {
        sid: "ReadTheListedSecrets",
        actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        resources: [SECRET],
      },
      {
        sid: "DecryptThemThroughSecretsManager",
        actions: ["kms:Decrypt"],
        resources: ["*"],
        condition: [
          {
            test: "StringEquals",
            variable: "kms:ViaService",
            values: ["secretsmanager.eu-west-1.amazonaws.com"],
          },
          { test: "StringEquals", variable: "kms:EncryptionContext:SecretARN", values: [SECRET] },
        ],
      },
    ]);
    expect(valuesOf(byName["external-secrets"]).installCRDs).toBe(true);
  });

  it("lets the autoscaler resize only the auto scaling groups EKS tagged as this cluster's", () => {
    const scale = statementsOf(json, "cluster-autoscaler-role").find((s) =>
      (s.actions as string[]).includes("autoscaling:SetDesiredCapacity"),
    )!;
    expect(scale.condition).toEqual([
      {
        test: "StringEquals",
        variable: "aws:ResourceTag/k8s.io/cluster-autoscaler/search-test",
        values: ["owned"],
      },
    ]);
    expect(valuesOf(byName["cluster-autoscaler"])).toMatchObject({
      autoDiscovery: { clusterName: "search-test" },
      awsRegion: "eu-west-1",
      image: { tag: ADDON_CHART_DEFAULTS.clusterAutoscalerImageTag },
    });
  });

  describe("the metrics path", () => {
    const values = valuesOf(byName["metrics-collector"]);
    const config = values.config;

    it("scrapes annotated pods of the named namespaces into CloudWatch EMF, nothing else", () => {
      expect(config.service.pipelines).toEqual({
        logs: null,
        traces: null,
        metrics: {
          receivers: ["prometheus"],
          processors: ["memory_limiter", "cumulativetodelta", "batch"],
          exporters: ["awsemf"],
        },
      });
      const scrape = config.receivers.prometheus.config.scrape_configs[0];
      expect(scrape.kubernetes_sd_configs).toEqual([
        { role: "pod", namespaces: { names: ["search"] } },
      ]);
      expect(values.replicaCount).toBe(1);
    });

    it("publishes the declared metrics, one per quantile, without roll-ups", () => {
      expect(config.exporters.awsemf).toMatchObject({
        region: "eu-west-1",
        namespace: "SearchPlatform/test",
        log_group_name: "/search/test/service-metrics",
        dimension_rollup_option: "NoDimensionRollup",
        detailed_metrics: true,
        metric_declarations: searchServiceMetricDeclarations(),
      });
    });

    it("counts requests per interval and per status class", () => {
      expect(config.processors.cumulativetodelta.include.metrics).toEqual([
        "http_request_duration_seconds",
      ]);
      const relabels = config.receivers.prometheus.config.scrape_configs[0].metric_relabel_configs;
      expect(relabels).toContainEqual({
        source_labels: ["status"],
        regex: "5..",
        target_label: "status_class",
        replacement: "5xx",
      });
    });

    it("writes to its own encrypted log group and nowhere else", () => {
      const group = Object.values(json.resource.aws_cloudwatch_log_group as Json)[0];
      expect(group).toMatchObject({
        name: "/search/test/service-metrics",
        retention_in_days: 30,
        kms_key_id: "arn:aws:kms:eu-west-1:111111111111:key/logs",
      });
      const statements = statementsOf(json, "metrics-collector-role");
      expect(statements).toHaveLength(1);
      expect(statements[0].actions).toEqual([
        "logs:PutLogEvents",
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
      ]);
      expect(statements[0].resources).toEqual([
        expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..*\.arn\}$/),
        expect.stringMatching(/^\$\{aws_cloudwatch_log_group\..*\.arn\}:log-stream:\*$/),
      ]);
    });
  });

  describe("validation", () => {
    const fails = (overrides: Partial<ClusterAddonsProps>): string[] => [
      ...problemsOf(() => synth(overrides)),
    ];

    it.each<[string, Partial<ClusterAddonsProps>, string]>([
      [
        "fails when a chart version is a range",
        { versions: { externalSecrets: "^2.0.0" } },
        '`versions.externalSecrets` must be an exact chart version like 1.2.3, got "^2.0.0"',
      ],
      [
        "fails when the autoscaler image is not a tag",
        { versions: { clusterAutoscalerImageTag: "latest" } },
        '`versions.clusterAutoscalerImageTag` must be a tag like v1.34.1, got "latest"',
      ],
      [
        "fails when no secret is readable",
        { readableSecretArns: [] },
        "`readableSecretArns` must name at least one secret (the operator reads nothing else)",
      ],
      [
        "fails when a readable secret is not a Secrets Manager ARN",
        { readableSecretArns: ["arn:aws:ssm:eu-west-1:111111111111:parameter/x"] },
        '`readableSecretArns[0]` must be a Secrets Manager secret ARN, got "arn:aws:ssm:eu-west-1:111111111111:parameter/x"',
      ],
      [
        "fails when controllers get no replica",
        { controllerReplicas: 0 },
        "`controllerReplicas` must be a whole number ≥ 1, got 0",
      ],
    ])("%s", (_name, overrides, message) => {
      expect(fails(overrides)).toEqual([message]);
    });
  });
});
