import { matchesGlob } from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { problemsOf } from "../../support/synth";
import {
  ADDON_CHART_DEFAULTS,
  AUDIT_LOG_CHANNEL,
  AuditLogShipper,
  type AuditLogShipperProps,
} from "../../../constructs/workloads";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const LOG_GROUP_ARN = "arn:aws:logs:eu-west-1:111111111111:log-group:/search/test/audit";

function props(overrides: Partial<AuditLogShipperProps> = {}): AuditLogShipperProps {
  return {
    clusterName: "search-test",
    region: "eu-west-1",
    logGroup: { name: "/search/test/audit", arn: LOG_GROUP_ARN },
    source: { namespace: "search", podNamePrefix: "search-", containerName: "search" },
    namespace: "observability",
    namePrefix: "search-test",
    ...overrides,
  };
}

function synth(overrides: Partial<AuditLogShipperProps> = {}) {
  const stack = new TerraformStack(Testing.app(), "test");
  const shipper = new AuditLogShipper(stack, "audit", props(overrides));
  const json = JSON.parse(Testing.synth(stack)) as Json;
  const release = Object.values(json.resource.helm_release as Json)[0] as Json;
  return { json, shipper, release, values: JSON.parse(release.values[0]) as Json };
}

describe("AuditLogShipper", () => {
  // GIVEN the default props WHEN synthesized
  const { json, shipper, release, values } = synth();
  const config = values.config as Json;
  const filelog = config.receivers["filelog/audit"] as Json;
  const exporter = config.exporters["awscloudwatchlogs/audit"] as Json;

  it("installs the pinned collector chart as a DaemonSet, atomically, in the given namespace", () => {
    expect(release).toMatchObject({
      name: "audit-log-shipper",
      chart: "opentelemetry-collector",
      version: ADDON_CHART_DEFAULTS.openTelemetryCollector,
      namespace: "observability",
      repository: expect.stringMatching(/^https:\/\//),
      atomic: true,
      wait: true,
    });
    expect(values.mode).toBe("daemonset");
    expect(values.image.repository).toBe("otel/opentelemetry-collector-contrib");
  });

  it("reads the service container's log files and no other workload's", () => {
    const [include] = filelog.include as string[];
    const pod = "/var/log/pods/search_search-7d9f8b6c5-x2x9q_0b3f5c2e-1111-2222-3333-444455556666";
    const read = (file: string) =>
      filelog.include.some((g: string) => matchesGlob(file, g)) &&
      !filelog.exclude.some((g: string) => matchesGlob(file, g));

    expect(shipper.includePath).toBe(include);
    expect(read(`${pod}/search/0.log`)).toBe(true);
    expect(read(`${pod}/search/0.log.20260304-050607`)).toBe(true); // rotated, not yet compressed
    expect(read(`${pod}/search/0.log.20260304-050607.gz`)).toBe(false);
    expect(read(`${pod}/istio-proxy/0.log`)).toBe(false);
    expect(
      read("/var/log/pods/search_search-migrate-1-2-3-abcd1234-k2w8p_0b3f/migrate/0.log"),
    ).toBe(false);
    expect(read("/var/log/pods/other_search-7d9f8b6c5-x2x9q_0b3f/search/0.log")).toBe(false);
  });

  it("keeps only stdout lines whose top-level channel is audit, as the service wrote them", () => {
    expect(filelog.operators.map((o: Json) => o.type)).toEqual(["container", "json_parser"]);
    expect(filelog.operators[1]).toMatchObject({ parse_from: "body", parse_to: "attributes" });
    expect(config.processors["filter/audit-only"]).toEqual({
      error_mode: "propagate",
      logs: {
        log_record: [
          'attributes["log.iostream"] != "stdout"',
          `attributes["channel"] != "${AUDIT_LOG_CHANNEL}"`,
        ],
      },
    });
    expect(config.service.pipelines).toEqual({
      metrics: null,
      traces: null,
      logs: {
        receivers: ["filelog/audit"],
        processors: ["memory_limiter", "filter/audit-only", "batch"],
        exporters: ["awscloudwatchlogs/audit"],
      },
    });
    expect(exporter.raw_log).toBe(true);
  });

  it("writes to the audit log group only, a stream per node, retrying until CloudWatch accepts", () => {
    expect(exporter).toMatchObject({
      region: "eu-west-1",
      log_group_name: "/search/test/audit",
      // "$${" is Terraform's escape: the collector reads ${env:K8S_NODE_NAME}.
      log_stream_name: `$\${env:K8S_NODE_NAME}`,
      sending_queue: { enabled: true, storage: "file_storage/audit" },
      retry_on_failure: { enabled: true, max_elapsed_time: 0 },
    });
    expect(Object.keys(config.exporters).filter((k) => config.exporters[k] !== null)).toEqual([
      "awscloudwatchlogs/audit",
    ]);
    expect(values.extraEnvs).toContainEqual({
      name: "K8S_NODE_NAME",
      valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } },
    });
  });

  it("keeps its offsets and unsent records on the node, so a restart neither loses nor repeats", () => {
    const dir = "/var/lib/otelcol/audit-log-shipper";
    expect(config.extensions["file_storage/audit"]).toEqual({
      directory: dir,
      create_directory: false,
      fsync: true,
    });
    expect(filelog).toMatchObject({ start_at: "beginning", storage: "file_storage/audit" });
    expect(config.service.extensions).toEqual(["health_check", "file_storage/audit"]);
    expect(values.extraVolumes).toContainEqual({
      name: "state",
      hostPath: { path: dir, type: "DirectoryOrCreate" },
    });
  });

  it("mounts /var/log/pods read-only and runs without capabilities, ports or a writable root", () => {
    expect(values.extraVolumeMounts).toContainEqual({
      name: "varlogpods",
      mountPath: "/var/log/pods",
      readOnly: true,
    });
    expect(values.securityContext).toEqual({
      runAsUser: 0,
      runAsGroup: 0,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(Object.values(values.ports).every((p) => (p as Json).enabled === false)).toBe(true);
    expect(values.resources).toEqual({
      requests: { cpu: "50m", memory: "128Mi" },
      limits: { memory: "256Mi" },
    });
  });

  it("may create streams in and write to that one log group, nothing else", () => {
    const documents = Object.values(json.data.aws_iam_policy_document as Json) as Json[];
    const permissions = documents.filter((d) => !JSON.stringify(d).includes("sts:AssumeRole"));

    expect(permissions.flatMap((d) => d.statement)).toEqual([
      {
        sid: "WriteTheAuditLogGroupOnly",
        actions: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        resources: [LOG_GROUP_ARN, `${LOG_GROUP_ARN}:log-stream:*`],
      },
    ]);
    expect(only(json, "aws_eks_pod_identity_association")).toMatchObject({
      namespace: "observability",
      service_account: "audit-log-shipper",
    });
    expect(values.serviceAccount).toEqual({ create: true, name: "audit-log-shipper" });
  });

  describe("validation", () => {
    const fails = (overrides: Partial<AuditLogShipperProps>): string[] => [
      ...problemsOf(() => synth(overrides)),
    ];

    it.each<[string, Partial<AuditLogShipperProps>, string]>([
      [
        "fails when the pod name prefix would widen the glob",
        { source: { namespace: "search", podNamePrefix: "*", containerName: "search" } },
        '`source.podNamePrefix` must be the start of a pod name (no glob characters), got "*"',
      ],
      [
        "fails when the namespace is not a DNS label",
        { source: { namespace: "Search_NS", podNamePrefix: "search-", containerName: "search" } },
        '`source.namespace` must be a DNS label, got "Search_NS"',
      ],
      [
        "fails when the chart version is a range",
        { chartVersion: "~0.158.0" },
        '`chartVersion` must be an exact chart version like 1.2.3, got "~0.158.0"',
      ],
      [
        "fails when the state directory is inside the read-only log mount",
        { stateDirectory: "/var/log/pods/state" },
        '`stateDirectory` must be an absolute path outside /var/log/pods, got "/var/log/pods/state"',
      ],
    ])("%s", (_name, overrides, message) => {
      expect(fails(overrides)).toEqual([message]);
    });
  });
});

function only(json: Json, type: string): Json {
  const all = Object.values(json.resource[type] ?? {}) as Json[];
  expect(all).toHaveLength(1);
  return all[0];
}
