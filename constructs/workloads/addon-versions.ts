// No provider imports here: the platform config reads these defaults when it loads.

/**
 * Chart versions the construct installs when not told otherwise, and that the platform config
 * pins by default. Exact versions only: a range would let a plan pick up a new chart.
 */
export const ADDON_CHART_DEFAULTS = {
  /** metrics-server v0.8.0. */
  metricsServer: "3.13.0",
  /** AWS Load Balancer Controller v3.5.0. */
  awsLoadBalancerController: "3.5.0",
  /** External Secrets Operator v2.0.0. */
  externalSecrets: "2.0.0",
  /** Cluster Autoscaler chart; the image follows the cluster's Kubernetes minor. */
  clusterAutoscaler: "9.52.1",
  clusterAutoscalerImageTag: "v1.34.1",
  /** OpenTelemetry Collector (contrib image: prometheus receiver, awsemf exporter). */
  openTelemetryCollector: "0.158.3",
} as const;

/** Chart repositories, by add-on. */
export const ADDON_CHART_REPOSITORIES = {
  metricsServer: "https://kubernetes-sigs.github.io/metrics-server/",
  awsLoadBalancerController: "https://aws.github.io/eks-charts",
  externalSecrets: "https://charts.external-secrets.io",
  clusterAutoscaler: "https://kubernetes.github.io/autoscaler",
  openTelemetryCollector: "https://open-telemetry.github.io/opentelemetry-helm-charts",
} as const;

export type AddonVersions = { readonly [K in keyof typeof ADDON_CHART_DEFAULTS]?: string };
