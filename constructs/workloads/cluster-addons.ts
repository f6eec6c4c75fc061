import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Release, type ReleaseConfig } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { PodIdentityRole } from "../compute/pod-identity-role";
import { isKnown, type KeyReference, resourceName, validateProps } from "../core";
import {
  ADDON_CHART_DEFAULTS,
  ADDON_CHART_REPOSITORIES,
  type AddonVersions,
} from "./addon-versions";
import { loadBalancerControllerStatements } from "./load-balancer-controller-policy";
import { STATUS_CLASS_LABEL, STATUS_CLASSES, type EmfMetricDeclaration } from "./service-metrics";

/** Where the services' Prometheus metrics go in CloudWatch. */
export interface ClusterMetricsOptions {
  /** CloudWatch namespace of the metrics, e.g. "SearchPlatform/prod". */
  readonly cloudWatchNamespace: string;
  /** Kubernetes namespaces whose pods annotated `prometheus.io/scrape: "true"` are scraped. */
  readonly scrapeNamespaces: readonly string[];
  /** Which metrics become CloudWatch metrics, with which dimensions. */
  readonly declarations: readonly EmfMetricDeclaration[];
  /**
   * Histograms whose counts are alarmed on: the collector turns their cumulative counts into
   * per-interval counts (the EMF exporter does not for histograms).
   * @default []
   */
  readonly countedHistograms?: readonly string[];
  /** Log group the EMF records are written to (CloudWatch extracts the metrics from it). */
  readonly logGroupName: string;
  /** @default 30 (the records are only the metrics' carrier) */
  readonly logRetentionInDays?: number;
  /** Encrypts the log group; its key policy must let CloudWatch Logs use it. */
  readonly logsKey: KeyReference;
}

export interface ClusterAddonsProps {
  /** The EKS cluster's name (pass the infra stack's token so the add-ons wait for it). */
  readonly clusterName: string;
  /** The cluster's region: the controllers must not depend on reaching instance metadata. */
  readonly region: string;
  /** The cluster's VPC (the load balancer controller's target groups live in it). */
  readonly vpcId: string;
  /**
   * Chart versions; each missing one is ADDON_CHART_DEFAULTS'.
   * @default ADDON_CHART_DEFAULTS
   */
  readonly versions?: AddonVersions;
  /**
   * Secrets Manager secrets the External Secrets Operator may read (and decrypt, through
   * Secrets Manager only). Nothing else.
   */
  readonly readableSecretArns: readonly string[];
  readonly metrics: ClusterMetricsOptions;
  /**
   * Prefix of the IAM role names, which must be unique in the account.
   * @default - the construct's path below its stack
   */
  readonly namePrefix?: string;
  /**
   * Replicas of the load balancer controller, the secrets operator and metrics-server.
   * @default 2 (a node drain never takes a controller away)
   */
  readonly controllerReplicas?: number;
  /**
   * Seconds Helm waits for a release before it rolls back.
   * @default 600
   */
  readonly helmTimeoutSeconds?: number;
}

const LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller";
const ESO_NAMESPACE = "external-secrets";
const ESO_SERVICE_ACCOUNT = "external-secrets";
const AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";
const COLLECTOR_NAMESPACE = "observability";
const COLLECTOR_RELEASE = "metrics-collector";
const COLLECTOR_SERVICE_ACCOUNT = "metrics-collector";

/**
 * The cluster add-ons the search service relies on, each a Helm release (atomic, waited for,
 * pinned chart version) with its AWS permissions through EKS Pod Identity:
 *
 * - metrics-server: CPU and memory metrics for the HPA;
 * - AWS Load Balancer Controller: the service's ALB (IP targets), the upstream IAM policy;
 * - External Secrets Operator: syncs the RDS-managed master secret for the migration Job —
 *   it may read the listed secrets and nothing else;
 * - Cluster Autoscaler: grows and shrinks the managed node groups it discovers by tag, and
 *   may change only the auto scaling groups tagged as this cluster's;
 * - OpenTelemetry Collector: scrapes annotated pods' /metrics and writes them to CloudWatch
 *   as EMF, only the declared metrics and dimensions.
 */
export class ClusterAddons extends Construct {
  public readonly metricsServer: Release;
  public readonly loadBalancerController: Release;
  public readonly externalSecrets: Release;
  public readonly clusterAutoscaler: Release;
  public readonly metricsCollector: Release;
  /** The collector's pods, for a NetworkPolicy that admits its scrapes. */
  public readonly metricsScraper: {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
  };
  /** The CloudWatch namespace and log group of the scraped metrics. */
  public readonly metricsNamespace: string;
  public readonly metricsLogGroupName: string;
  /** Everything a workload on the cluster should wait for. */
  public readonly dependables: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ClusterAddonsProps) {
    super(scope, id);
    const versions = { ...ADDON_CHART_DEFAULTS, ...props.versions };
    const replicas = props.controllerReplicas ?? 2;
    const timeout = props.helmTimeoutSeconds ?? 600;
    const namePrefix = resourceName(this, props.namePrefix, 40);
    const metrics = props.metrics;
    const logRetentionInDays = metrics.logRetentionInDays ?? 30;
    const countedHistograms = metrics.countedHistograms ?? [];
    const { clusterName, region, vpcId } = props;

    validateProps("ClusterAddons", [
      ...Object.entries(versions)
        .filter(([key]) => key !== "clusterAutoscalerImageTag")
        .map(([key, version]) => ({
          violated: !/^\d+\.\d+\.\d+$/.test(version),
          message: `\`versions.${key}\` must be an exact chart version like 1.2.3, got "${version}"`,
        })),
      {
        violated: !/^v\d+\.\d+\.\d+$/.test(versions.clusterAutoscalerImageTag),
        message: `\`versions.clusterAutoscalerImageTag\` must be a tag like v1.34.1, got "${versions.clusterAutoscalerImageTag}"`,
      },
      {
        violated: props.readableSecretArns.length === 0,
        message:
          "`readableSecretArns` must name at least one secret (the operator reads nothing else)",
      },
      ...props.readableSecretArns.map((arn, i) => ({
        violated: isKnown(arn) && !/^arn:aws[a-z-]*:secretsmanager:/.test(arn),
        message: `\`readableSecretArns[${i}]\` must be a Secrets Manager secret ARN, got "${arn}"`,
      })),
      {
        violated: metrics.scrapeNamespaces.length === 0,
        message: "`metrics.scrapeNamespaces` must name at least one namespace",
      },
      {
        violated: metrics.declarations.length === 0,
        message: "`metrics.declarations` must declare at least one metric to export",
      },
      {
        violated: !Number.isInteger(replicas) || replicas < 1,
        message: `\`controllerReplicas\` must be a whole number ≥ 1, got ${replicas}`,
      },
    ]);

    const partition = new DataAwsPartition(this, "partition").partition;
    const release = (
      releaseId: string,
      config: Omit<ReleaseConfig, "atomic" | "wait" | "timeout" | "cleanupOnFail" | "values"> & {
        readonly values: Record<string, unknown>;
      },
    ) =>
      new Release(this, releaseId, {
        ...config,
        // JSON is YAML; tokens (cluster name, VPC, region) resolve inside the string.
        values: [JSON.stringify(config.values)],
        atomic: true,
        wait: true,
        cleanupOnFail: true,
        timeout,
        maxHistory: 10,
      });

    // ── metrics-server ────────────────────────────────────────────────────────────────────
    this.metricsServer = release("metrics-server", {
      name: "metrics-server",
      repository: ADDON_CHART_REPOSITORIES.metricsServer,
      chart: "metrics-server",
      version: versions.metricsServer,
      namespace: "kube-system",
      values: {
        replicas,
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      },
    });

    // ── AWS Load Balancer Controller ──────────────────────────────────────────────────────
    const lbcRole = new PodIdentityRole(this, "load-balancer-controller-role", {
      clusterName,
      namespace: "kube-system",
      serviceAccount: LBC_SERVICE_ACCOUNT,
      roleName: `${namePrefix}-load-balancer-controller`,
      policyStatements: loadBalancerControllerStatements(partition),
    });
    this.loadBalancerController = release("aws-load-balancer-controller", {
      name: "aws-load-balancer-controller",
      repository: ADDON_CHART_REPOSITORIES.awsLoadBalancerController,
      chart: "aws-load-balancer-controller",
      version: versions.awsLoadBalancerController,
      namespace: "kube-system",
      values: {
        clusterName,
        region,
        vpcId,
        replicaCount: replicas,
        serviceAccount: { create: true, name: LBC_SERVICE_ACCOUNT },
        podDisruptionBudget: { maxUnavailable: 1 },
        // Ingress only: without this webhook a Service of type LoadBalancer does not depend on
        // the controller being up to be created.
        enableServiceMutatorWebhook: false,
        podAnnotations: podIdentityAnnotation(lbcRole),
      },
    });

    // ── External Secrets Operator ─────────────────────────────────────────────────────────
    const esoNamespace = new NamespaceV1(this, "external-secrets-namespace", {
      metadata: { name: ESO_NAMESPACE },
    });
    const esoRole = new PodIdentityRole(this, "external-secrets-role", {
      clusterName,
      namespace: ESO_NAMESPACE,
      serviceAccount: ESO_SERVICE_ACCOUNT,
      roleName: `${namePrefix}-external-secrets`,
      policyStatements: secretReaderStatements(props.readableSecretArns, region),
    });
    this.externalSecrets = release("external-secrets", {
      name: "external-secrets",
      repository: ADDON_CHART_REPOSITORIES.externalSecrets,
      chart: "external-secrets",
      version: versions.externalSecrets,
      namespace: ESO_NAMESPACE,
      values: {
        installCRDs: true,
        replicaCount: replicas,
        leaderElect: true,
        serviceAccount: { create: true, name: ESO_SERVICE_ACCOUNT },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        podAnnotations: podIdentityAnnotation(esoRole),
      },
      dependsOn: [esoNamespace],
    });

    // ── Cluster Autoscaler ────────────────────────────────────────────────────────────────
    const autoscalerRole = new PodIdentityRole(this, "cluster-autoscaler-role", {
      clusterName,
      namespace: "kube-system",
      serviceAccount: AUTOSCALER_SERVICE_ACCOUNT,
      roleName: `${namePrefix}-cluster-autoscaler`,
      policyStatements: clusterAutoscalerStatements(clusterName),
    });
    this.clusterAutoscaler = release("cluster-autoscaler", {
      name: "cluster-autoscaler",
      repository: ADDON_CHART_REPOSITORIES.clusterAutoscaler,
      chart: "cluster-autoscaler",
      version: versions.clusterAutoscaler,
      namespace: "kube-system",
      values: {
        cloudProvider: "aws",
        awsRegion: region,
        // EKS managed node groups tag their auto scaling groups
        // k8s.io/cluster-autoscaler/enabled and k8s.io/cluster-autoscaler/<cluster>.
        autoDiscovery: { clusterName },
        image: { tag: versions.clusterAutoscalerImageTag },
        rbac: { serviceAccount: { create: true, name: AUTOSCALER_SERVICE_ACCOUNT } },
        extraArgs: {
          // Spread scale-ups over the per-zone groups, so pods keep their zone spread.
          "balance-similar-node-groups": true,
          expander: "least-waste",
          "skip-nodes-with-system-pods": false,
        },
        podDisruptionBudget: { maxUnavailable: 1 },
        podAnnotations: podIdentityAnnotation(autoscalerRole),
      },
    });

    // ── Metrics: OpenTelemetry Collector → CloudWatch (EMF) ───────────────────────────────
    const metricsLog = new CloudwatchLogGroup(this, "metrics-log-group", {
      name: metrics.logGroupName,
      retentionInDays: logRetentionInDays,
      kmsKeyId: metrics.logsKey.arn,
    });
    const collectorNamespace = new NamespaceV1(this, "observability-namespace", {
      metadata: { name: COLLECTOR_NAMESPACE },
    });
    const collectorRole = new PodIdentityRole(this, "metrics-collector-role", {
      clusterName,
      namespace: COLLECTOR_NAMESPACE,
      serviceAccount: COLLECTOR_SERVICE_ACCOUNT,
      roleName: `${namePrefix}-metrics-collector`,
      policyStatements: [
        {
          sid: "WriteMetricRecords",
          actions: ["logs:PutLogEvents", "logs:CreateLogStream", "logs:DescribeLogStreams"],
          resources: [metricsLog.arn, `${metricsLog.arn}:log-stream:*`],
        },
      ],
    });
    const collectorLabels = {
      "app.kubernetes.io/name": "opentelemetry-collector",
      "app.kubernetes.io/instance": COLLECTOR_RELEASE,
    };
    this.metricsCollector = release("metrics-collector", {
      name: COLLECTOR_RELEASE,
      repository: ADDON_CHART_REPOSITORIES.openTelemetryCollector,
      chart: "opentelemetry-collector",
      version: versions.openTelemetryCollector,
      namespace: COLLECTOR_NAMESPACE,
      values: collectorValues({
        region,
        metrics,
        countedHistograms,
        serviceAccount: COLLECTOR_SERVICE_ACCOUNT,
        podAnnotations: podIdentityAnnotation(collectorRole),
      }),
      dependsOn: [collectorNamespace, metricsLog],
    });

    this.metricsScraper = { namespace: COLLECTOR_NAMESPACE, podLabels: collectorLabels };
    this.metricsNamespace = metrics.cloudWatchNamespace;
    this.metricsLogGroupName = metricsLog.name;
    this.dependables = [
      this.metricsServer,
      this.loadBalancerController,
      this.externalSecrets,
      this.clusterAutoscaler,
      this.metricsCollector,
    ];
  }
}

/**
 * EKS Pod Identity injects credentials when a pod is created, if an association exists then.
 * Naming the association in the pod template makes the release wait for it (an implicit
 * dependency) and restarts the pods if the association is ever replaced.
 */
export function podIdentityAnnotation(role: PodIdentityRole): Record<string, string> {
  return { "search-platform/pod-identity-association": role.associationId ?? role.roleArn };
}

/**
 * Read the listed secrets, and decrypt them only through Secrets Manager and only for those
 * secrets (the encryption context names the secret), whatever key encrypts them.
 */
function secretReaderStatements(
  secretArns: readonly string[],
  region: string,
): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "ReadTheListedSecrets",
      actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      resources: [...secretArns],
    },
    {
      sid: "DecryptThemThroughSecretsManager",
      actions: ["kms:Decrypt"],
      resources: ["*"],
      condition: [
        {
          test: "StringEquals",
          variable: "kms:ViaService",
          values: [`secretsmanager.${region}.amazonaws.com`],
        },
        {
          test: "StringEquals",
          variable: "kms:EncryptionContext:SecretARN",
          values: [...secretArns],
        },
      ],
    },
  ];
}

/**
 * The Cluster Autoscaler's policy from its AWS guide: read everything it needs to simulate,
 * change only the auto scaling groups EKS tagged as this cluster's.
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 */
function clusterAutoscalerStatements(clusterName: string): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "DiscoverNodeGroups",
      actions: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "autoscaling:DescribeTags",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "eks:DescribeNodegroup",
      ],
      resources: ["*"],
    },
    {
      sid: "ScaleThisClustersNodeGroupsOnly",
      actions: [
        "autoscaling:SetDesiredCapacity",
        "autoscaling:TerminateInstanceInAutoScalingGroup",
      ],
      resources: ["*"],
      condition: [
        {
          test: "StringEquals",
          variable: `aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`,
          values: ["owned"],
        },
      ],
    },
  ];
}

/** Values of the opentelemetry-collector chart: one pipeline, Prometheus in, EMF out. */
function collectorValues(options: {
  region: string;
  metrics: ClusterMetricsOptions;
  countedHistograms: readonly string[];
  serviceAccount: string;
  podAnnotations: Record<string, string>;
}): Record<string, unknown> {
  const { metrics } = options;
  return {
    mode: "deployment",
    podAnnotations: options.podAnnotations,
    // One scraper: two would scrape, and count, every target twice.
    replicaCount: 1,
    image: { repository: "otel/opentelemetry-collector-contrib" },
    serviceAccount: { create: true, name: options.serviceAccount },
    clusterRole: {
      create: true,
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
    },
    ports: {
      "jaeger-compact": { enabled: false },
      "jaeger-thrift": { enabled: false },
      "jaeger-grpc": { enabled: false },
      zipkin: { enabled: false },
      otlp: { enabled: false },
      "otlp-http": { enabled: false },
    },
    resources: {
      requests: { cpu: "100m", memory: "256Mi" },
      limits: { memory: "512Mi" },
    },
    config: {
      // The chart's default receivers and pipelines are removed (null deletes a default).
      receivers: {
        jaeger: null,
        zipkin: null,
        otlp: null,
        prometheus: {
          config: {
            scrape_configs: [
              {
                job_name: "annotated-pods",
                scrape_interval: "30s",
                kubernetes_sd_configs: [
                  { role: "pod", namespaces: { names: [...metrics.scrapeNamespaces] } },
                ],
                relabel_configs: [
                  {
                    source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
                    action: "keep",
                    regex: "true",
                  },
                  // Finished pods (the migration Job's) have nothing to scrape.
                  {
                    source_labels: ["__meta_kubernetes_pod_phase"],
                    action: "drop",
                    regex: "Pending|Succeeded|Failed",
                  },
                  {
                    source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                    action: "replace",
                    target_label: "__metrics_path__",
                    regex: "(.+)",
                  },
                  {
                    source_labels: [
                      "__address__",
                      "__meta_kubernetes_pod_annotation_prometheus_io_port",
                    ],
                    action: "replace",
                    regex: "([^:]+)(?::\\d+)?;(\\d+)",
                    // "$$" is the collector's escape for "$" (Terraform leaves "$$" alone).
                    replacement: "$$1:$$2",
                    target_label: "__address__",
                  },
                ],
                // status "503" → status_class "5xx": one error-rate metric per class.
                metric_relabel_configs: STATUS_CLASSES.map((cls) => ({
                  source_labels: ["status"],
                  regex: `${cls[0]}..`,
                  target_label: STATUS_CLASS_LABEL,
                  replacement: cls,
                })),
              },
            ],
          },
        },
      },
      processors: {
        ...(options.countedHistograms.length > 0
          ? {
              cumulativetodelta: {
                include: { metrics: [...options.countedHistograms], match_type: "strict" },
              },
            }
          : {}),
      },
      exporters: {
        awsemf: {
          region: options.region,
          namespace: metrics.cloudWatchNamespace,
          log_group_name: metrics.logGroupName,
          log_stream_name: "metrics-collector",
          // Only the declared dimension sets, no automatic roll-ups (each is a billed metric).
          dimension_rollup_option: "NoDimensionRollup",
          // Summaries as one metric per quantile (the p95 alarm), not a min/max statistic set.
          detailed_metrics: true,
          metric_declarations: metrics.declarations,
        },
      },
      service: {
        pipelines: {
          logs: null,
          traces: null,
          metrics: {
            receivers: ["prometheus"],
            processors: [
              "memory_limiter",
              ...(options.countedHistograms.length > 0 ? ["cumulativetodelta"] : []),
              "batch",
            ],
            exporters: ["awsemf"],
          },
        },
      },
    },
  };
}
