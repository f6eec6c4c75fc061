import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { ServiceSettings } from "@search-platform/service/settings";
import { Fn, TerraformOutput, TerraformStack, Token } from "cdktf";
import type { Construct } from "constructs";
import {
  AuditLogShipper,
  ClusterAddons,
  COUNTED_HISTOGRAMS,
  SearchService,
  searchServiceMetricDeclarations,
  ServiceAlarms,
} from "../constructs/workloads";
import { PlatformDashboard } from "../constructs/observability";
import type { PlatformConfig } from "./config";
import {
  deriveServiceAlarmThresholds,
  deriveServiceRuntime,
  deriveServiceSettings,
  type ServiceRuntimePlan,
} from "./derive";
import type { InfraOutputs } from "./infra-outputs";
import { useRemoteState } from "./remote-state";
import { platformTags } from "./tags";

export interface WorkloadsStackProps {
  readonly config: PlatformConfig;
  /** The infra stack's resources, as tokens: each use becomes a cross-stack reference. */
  readonly infra: InfraOutputs;
}

/**
 * `search-<env>-workloads`: the cluster add-ons, the search service and the alarms on its
 * metrics, on the cluster the infra stack created.
 *
 * The kubernetes and helm providers are configured from the infra stack's outputs (read from
 * its remote state) and authenticate with `aws eks get-token`: nothing long-lived in state,
 * and the caller's own IAM identity decides what it may do (an EKS access entry). With a
 * private API endpoint (prod), deploy from inside the VPC.
 *
 * The service's settings are derived from the same config that sized the infra stack; the
 * ConfigMap, the pods' shape, the ALB and the alarm thresholds all come from that one
 * derivation. Construct IDs below are Terraform addresses: treat them as public API.
 */
export class WorkloadsStack extends TerraformStack {
  /** The settings the service runs with (the ConfigMap's content). */
  public readonly settings: ServiceSettings;
  /** Connection budget and termination timeline behind the settings. */
  public readonly runtime: ServiceRuntimePlan;
  public readonly addons: ClusterAddons;
  public readonly service: SearchService;
  public readonly auditLogShipper: AuditLogShipper;
  public readonly alarms: ServiceAlarms;

  constructor(scope: Construct, id: string, props: WorkloadsStackProps) {
    super(scope, id);
    const { config, infra } = props;
    const prefix = `search-${config.name}`;
    this.settings = deriveServiceSettings(config);
    this.runtime = deriveServiceRuntime(config, this.settings);
    const thresholds = deriveServiceAlarmThresholds(config);

    new AwsProvider(this, "aws", {
      region: config.aws.region,
      allowedAccountIds: config.aws.accountId ? [config.aws.accountId] : undefined,
      defaultTags: [{ tags: platformTags(config) }],
    });
    const clusterCaCertificate = Fn.base64decode(infra.cluster.certificateAuthorityData);
    const getToken = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: [
        "eks",
        "get-token",
        "--cluster-name",
        infra.cluster.name,
        "--region",
        config.aws.region,
        "--output",
        "json",
      ],
    };
    new KubernetesProvider(this, "kubernetes", {
      host: infra.cluster.endpoint,
      clusterCaCertificate,
      exec: [getToken],
    });
    new HelmProvider(this, "helm", {
      kubernetes: { host: infra.cluster.endpoint, clusterCaCertificate, exec: getToken },
    });
    useRemoteState(this, id, config);

    const { service: serviceConfig, addons: versions } = config;
    this.addons = new ClusterAddons(this, "addons", {
      clusterName: infra.cluster.name,
      region: config.aws.region,
      vpcId: infra.network.vpcId,
      namePrefix: prefix,
      versions: {
        metricsServer: versions.metricsServer.chartVersion,
        awsLoadBalancerController: versions.awsLoadBalancerController.chartVersion,
        externalSecrets: versions.externalSecrets.chartVersion,
        clusterAutoscaler: versions.clusterAutoscaler.chartVersion,
        clusterAutoscalerImageTag: versions.clusterAutoscaler.imageTag,
        openTelemetryCollector: versions.openTelemetryCollector.chartVersion,
      },
      readableSecretArns: [infra.database.masterSecretArn],
      metrics: {
        cloudWatchNamespace: `SearchPlatform/${config.name}`,
        scrapeNamespaces: [serviceConfig.namespace],
        declarations: searchServiceMetricDeclarations(),
        countedHistograms: COUNTED_HISTOGRAMS,
        logGroupName: `/search/${config.name}/service-metrics`,
        logRetentionInDays: config.observability.logRetentionInDays,
        logsKey: infra.keys.logs,
      },
    });

    const ingress = serviceConfig.ingress;
    const albSubnetIds = oneIdPerZone(
      ingress.scheme === "internet-facing"
        ? infra.network.publicSubnetIds
        : infra.network.privateSubnetIds,
      config.aws.availabilityZones.length,
    );
    this.service = new SearchService(this, "service", {
      settings: this.settings,
      image: { repositoryUrl: infra.registry.repositoryUrl, tag: serviceConfig.imageTag },
      clusterName: infra.cluster.name,
      region: config.aws.region,
      vpcCidr: infra.network.vpcCidr,
      database: infra.database,
      cache: {
        endpoint: infra.cache.primaryEndpoint,
        port: infra.cache.port,
        replicationGroupId: infra.cache.replicationGroupId,
      },
      ingress: {
        subnetIds: albSubnetIds,
        scheme: ingress.scheme,
        certificateArn: ingress.certificateArn,
        host: ingress.host,
        sslPolicy: ingress.sslPolicy,
        idleTimeoutSeconds: this.runtime.albIdleTimeoutSeconds,
        allowedCidrs: ingress.allowedCidrs,
        deletionProtection: config.preventDestroy,
      },
      auditLog: { logGroupName: `/search/${config.name}/audit`, logsKey: infra.keys.logs },
      auditKey: infra.keys.auditHmac,
      replicas: serviceConfig.replicas,
      resources: serviceConfig.resources,
      autoscaling: serviceConfig.autoscaling,
      maxSurge: this.runtime.connections.maxSurge,
      preStopDelaySeconds: this.runtime.termination.preStopDelaySeconds,
      namespace: serviceConfig.namespace,
      metricsScraper: this.addons.metricsScraper,
      namePrefix: prefix,
      dependsOn: [...this.addons.dependables],
    });

    // The audit records the service writes to stdout, to the audit log group, from every node.
    this.auditLogShipper = new AuditLogShipper(this, "audit-log-shipper", {
      clusterName: infra.cluster.name,
      region: config.aws.region,
      logGroup: { name: this.service.auditLogGroupName, arn: this.service.auditLogGroupArn },
      source: this.service.serverLogs,
      namespace: this.addons.metricsScraper.namespace,
      chartVersion: versions.openTelemetryCollector.chartVersion,
      namePrefix: prefix,
      dependsOn: [...this.addons.dependables],
    });

    this.alarms = new ServiceAlarms(this, "alarms", {
      metricsNamespace: this.addons.metricsNamespace,
      alarmTopic: { topicArn: infra.alarmTopicArn },
      latencyP95Seconds: thresholds.latencyP95Seconds,
      serverErrorPercent: thresholds.serverErrorPercent,
      sustainedMinutes: thresholds.sustainedMinutes,
      // No cache, no hit rate to watch.
      cacheHitRateFloorPercent: this.settings.cache.enabled ? undefined : 0,
      namePrefix: `${prefix}-service`,
      context: { clusterName: infra.cluster.name, namespace: this.service.namespace },
    });

    new PlatformDashboard(this, "dashboard", {
      dashboardName: `${prefix}-service`,
      alarms: this.alarms,
      service: {
        metricsNamespace: this.addons.metricsNamespace,
        latencyP95Seconds: thresholds.latencyP95Seconds,
      },
      region: config.aws.region,
    });

    new TerraformOutput(this, "service-hostname", {
      value: this.service.ingress.status.get(0).loadBalancer.get(0).ingress.get(0).hostname,
      description: "DNS name of the service's ALB (point the host's record at it)",
    });
    new TerraformOutput(this, "settings-checksum", {
      value: this.service.settingsChecksum,
      description: "sha256 of the deployed settings file (the pods' checksum/settings annotation)",
    });
  }
}

/**
 * Subnet ids as one element per subnet: a list token (one Terraform list) is split into the
 * zones' elements, so that each subnet's CIDR can be looked up on its own.
 */
function oneIdPerZone(ids: readonly string[], zones: number): string[] {
  if (!Token.isUnresolved(ids)) return [...ids];
  return Array.from({ length: zones }, (_, i) => Fn.element(ids, i));
}
