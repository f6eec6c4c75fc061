import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { PodIdentityRole } from "../compute/pod-identity-role";
import { isKnown, resourceName, validateProps } from "../core";
import { ADDON_CHART_DEFAULTS, ADDON_CHART_REPOSITORIES } from "./addon-versions";
import { podIdentityAnnotation } from "./cluster-addons";

/**
 * The audit channel of the service's log stream: each committed audit record is one JSON line on
 * stdout whose top-level `channel` is this (the contract with the service's governance code).
 */
export const AUDIT_LOG_CHANNEL = "audit";

/** Where a workload's container logs are on its node (`/var/log/pods/<ns>_<pod>_<uid>/<c>/`). */
export interface ContainerLogSource {
  readonly namespace: string;
  /** Every pod of the workload is named `<podNamePrefix><something>`. */
  readonly podNamePrefix: string;
  readonly containerName: string;
}

export interface AuditLogShipperProps {
  /** The EKS cluster's name (Pod Identity association). */
  readonly clusterName: string;
  readonly region: string;
  /**
   * The audit trail's log group: the only place the shipper may write. It must exist (the
   * shipper cannot create log groups) and is KMS-encrypted through its own key policy.
   */
  readonly logGroup: { readonly name: string; readonly arn: string };
  /** The containers whose stdout carries the audit records. */
  readonly source: ContainerLogSource;
  /** The namespace the DaemonSet runs in; it must exist. */
  readonly namespace: string;
  /**
   * Version of the opentelemetry-collector chart (contrib image: filelog receiver,
   * awscloudwatchlogs exporter).
   * @default ADDON_CHART_DEFAULTS.openTelemetryCollector
   */
  readonly chartVersion?: string;
  /**
   * The collector's requests and memory limit on every node.
   * @default { cpuRequest: "50m", memoryRequest: "128Mi", memoryLimit: "256Mi" }
   */
  readonly resources?: {
    readonly cpuRequest: string;
    readonly memoryRequest: string;
    readonly memoryLimit: string;
  };
  /**
   * Where on each node the shipper keeps its read offsets and its queue of records not yet
   * accepted by CloudWatch Logs, so a restart neither loses nor repeats records.
   * @default "/var/lib/otelcol/<releaseName>"
   */
  readonly stateDirectory?: string;
  /** @default "audit-log-shipper" */
  readonly releaseName?: string;
  /**
   * Prefix of the IAM role's name, unique in the account.
   * @default - the construct's path below its stack
   */
  readonly namePrefix?: string;
  /** Seconds Helm waits for the DaemonSet before it rolls back. @default 600 */
  readonly helmTimeoutSeconds?: number;
  /** What must exist first (the namespace, the Pod Identity agent). */
  readonly dependsOn?: ITerraformDependable[];
}

const SERVICE_ACCOUNT = "audit-log-shipper";
const LOG_PODS = "/var/log/pods";
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Ships the service's audit records — and nothing else — from every node's container logs to
 * the audit trail's CloudWatch log group: an OpenTelemetry Collector DaemonSet (Helm) that tails
 * the service container's log files, keeps the stdout lines that are JSON with
 * `"channel": "audit"`, and writes each line as it is (`raw_log`) to a log stream per node.
 *
 * - IAM through EKS Pod Identity, allowed to create streams in and put events to that one log
 *   group, nothing else (no CreateLogGroup: the log group and its retention are Terraform's).
 * - At least once: read offsets and the queue of records CloudWatch has not accepted yet live in
 *   a node directory (fsync'd), so a restart or an outage of CloudWatch loses nothing as long as
 *   the kubelet has not rotated the file away (10 MiB × 5 per container by default); failures are
 *   retried without end, the reader stops reading while the queue is full.
 * - Hardened: /var/log/pods mounted read-only, read-only root filesystem, no capabilities, no
 *   privilege escalation, RuntimeDefault seccomp, no ports, resources bounded. It runs as uid 0,
 *   not as a non-root user: the container runtime writes the log files root-owned and mode 0640,
 *   and the offsets directory on the node is root's; without capabilities, root here can read
 *   and write only what root owns.
 *
 * Everything else the containers log is not shipped by this DaemonSet.
 * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/receiver/filelogreceiver
 * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/awscloudwatchlogsexporter
 */
export class AuditLogShipper extends Construct {
  public readonly release: Release;
  public readonly roleArn: string;
  /** The glob of the log files the shipper reads. */
  public readonly includePath: string;

  constructor(scope: Construct, id: string, props: AuditLogShipperProps) {
    super(scope, id);
    const chartVersion = props.chartVersion ?? ADDON_CHART_DEFAULTS.openTelemetryCollector;
    const releaseName = props.releaseName ?? "audit-log-shipper";
    const stateDirectory = props.stateDirectory ?? `/var/lib/otelcol/${releaseName}`;
    const resources = props.resources ?? {
      cpuRequest: "50m",
      memoryRequest: "128Mi",
      memoryLimit: "256Mi",
    };
    const timeout = props.helmTimeoutSeconds ?? 600;
    const namePrefix = resourceName(this, props.namePrefix, 40);
    const { source, logGroup } = props;

    validateProps("AuditLogShipper", [
      ...(["namespace", "containerName"] as const).map((field) => ({
        violated: isKnown(source[field]) && !DNS_LABEL.test(source[field]),
        message: `\`source.${field}\` must be a DNS label, got "${source[field]}"`,
      })),
      {
        violated:
          isKnown(source.podNamePrefix) && !/^[a-z0-9][-a-z0-9.]*$/.test(source.podNamePrefix),
        message: `\`source.podNamePrefix\` must be the start of a pod name (no glob characters), got "${source.podNamePrefix}"`,
      },
      {
        violated: !/^\d+\.\d+\.\d+$/.test(chartVersion),
        message: `\`chartVersion\` must be an exact chart version like 1.2.3, got "${chartVersion}"`,
      },
      {
        violated: !stateDirectory.startsWith("/") || stateDirectory.startsWith(LOG_PODS),
        message: `\`stateDirectory\` must be an absolute path outside ${LOG_PODS}, got "${stateDirectory}"`,
      },
    ]);

    const role = new PodIdentityRole(this, "role", {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: SERVICE_ACCOUNT,
      roleName: `${namePrefix}-audit-log-shipper`,
      policyStatements: auditLogWriterStatements(logGroup.arn),
    });
    this.roleArn = role.roleArn;

    const podDirectory = `${LOG_PODS}/${source.namespace}_${source.podNamePrefix}*_*/${source.containerName}`;
    this.includePath = `${podDirectory}/*.log*`;
    const values = shipperValues({
      region: props.region,
      logGroupName: logGroup.name,
      include: [this.includePath],
      // Rotated files are compressed once the kubelet is done with them.
      exclude: [`${podDirectory}/*.gz`],
      stateDirectory,
      resources,
      podAnnotations: podIdentityAnnotation(role),
    });
    this.release = new Release(this, "release", {
      name: releaseName,
      repository: ADDON_CHART_REPOSITORIES.openTelemetryCollector,
      chart: "opentelemetry-collector",
      version: chartVersion,
      namespace: props.namespace,
      // JSON is YAML; the log group's name and ARN may be tokens, resolved inside the string.
      values: [JSON.stringify(values)],
      atomic: true,
      wait: true,
      cleanupOnFail: true,
      timeout,
      maxHistory: 10,
      dependsOn: props.dependsOn,
    });
  }
}

/** Create streams in, and put events to, one log group: what the exporter needs, no more. */
export function auditLogWriterStatements(logGroupArn: string): DataAwsIamPolicyDocumentStatement[] {
  return [
    {
      sid: "WriteTheAuditLogGroupOnly",
      actions: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      resources: [logGroupArn, `${logGroupArn}:log-stream:*`],
    },
  ];
}

/**
 * A collector config value read from the pod's environment at start-up. Terraform would read
 * "${" itself, so it is written "$${" (Terraform's escape) and reaches the chart as "${".
 */
function fromEnvironment(name: string): string {
  return `$\${env:${name}}`;
}

/** Values of the opentelemetry-collector chart: one logs pipeline, container files in, CloudWatch out. */
function shipperValues(options: {
  region: string;
  logGroupName: string;
  include: string[];
  exclude: string[];
  stateDirectory: string;
  resources: { cpuRequest: string; memoryRequest: string; memoryLimit: string };
  podAnnotations: Record<string, string>;
}): Record<string, unknown> {
  const retryForever = {
    enabled: true,
    initial_interval: "1s",
    max_interval: "30s",
    max_elapsed_time: 0,
  };
  return {
    mode: "daemonset",
    image: { repository: "otel/opentelemetry-collector-contrib" },
    serviceAccount: { create: true, name: SERVICE_ACCOUNT },
    podAnnotations: options.podAnnotations,
    // Reads files, listens on nothing: no host ports (the chart's default in daemonset mode).
    ports: Object.fromEntries(
      [
        "otlp",
        "otlp-http",
        "jaeger-compact",
        "jaeger-thrift",
        "jaeger-grpc",
        "zipkin",
        "metrics",
      ].map((port) => [port, { enabled: false }]),
    ),
    resources: {
      requests: { cpu: options.resources.cpuRequest, memory: options.resources.memoryRequest },
      limits: { memory: options.resources.memoryLimit },
    },
    podSecurityContext: { runAsUser: 0, runAsGroup: 0, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: {
      runAsUser: 0,
      runAsGroup: 0,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    // Wherever the service may be scheduled, whatever the node's taints.
    tolerations: [{ operator: "Exists" }],
    extraEnvs: [{ name: "K8S_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
    extraVolumes: [
      { name: "varlogpods", hostPath: { path: LOG_PODS, type: "Directory" } },
      { name: "state", hostPath: { path: options.stateDirectory, type: "DirectoryOrCreate" } },
    ],
    extraVolumeMounts: [
      { name: "varlogpods", mountPath: LOG_PODS, readOnly: true },
      { name: "state", mountPath: options.stateDirectory },
    ],
    config: {
      extensions: {
        "file_storage/audit": {
          directory: options.stateDirectory,
          create_directory: false,
          fsync: true,
        },
      },
      // The chart's default receivers and exporter are removed (null deletes a default).
      receivers: {
        jaeger: null,
        zipkin: null,
        otlp: null,
        prometheus: null,
        "filelog/audit": {
          include: options.include,
          exclude: options.exclude,
          // A new file is read from its first line; offsets survive restarts (storage).
          start_at: "beginning",
          storage: "file_storage/audit",
          // While the exporter's queue is full, stop reading rather than drop.
          retry_on_failure: retryForever,
          operators: [
            // CRI lines: time, stream, partial flag, message; long lines are reassembled.
            { type: "container", id: "container" },
            // The record's top-level fields become attributes for the filter; the body stays
            // the line as written. Lines that are not JSON keep no attributes (and are dropped).
            {
              type: "json_parser",
              id: "record",
              parse_from: "body",
              parse_to: "attributes",
              on_error: "send_quiet",
            },
          ],
        },
      },
      processors: {
        "filter/audit-only": {
          // Fail closed: a record the conditions cannot judge stops the pipeline, unshipped.
          error_mode: "propagate",
          logs: {
            log_record: [
              'attributes["log.iostream"] != "stdout"',
              `attributes["channel"] != "${AUDIT_LOG_CHANNEL}"`,
            ],
          },
        },
      },
      exporters: {
        debug: null,
        "awscloudwatchlogs/audit": {
          region: options.region,
          log_group_name: options.logGroupName,
          log_stream_name: fromEnvironment("K8S_NODE_NAME"),
          // The audit record as the service wrote it, not wrapped in an OTLP envelope.
          raw_log: true,
          sending_queue: { enabled: true, storage: "file_storage/audit" },
          retry_on_failure: retryForever,
        },
      },
      service: {
        extensions: ["health_check", "file_storage/audit"],
        pipelines: {
          metrics: null,
          traces: null,
          logs: {
            receivers: ["filelog/audit"],
            processors: ["memory_limiter", "filter/audit-only", "batch"],
            exporters: ["awscloudwatchlogs/audit"],
          },
        },
      },
    },
  };
}
