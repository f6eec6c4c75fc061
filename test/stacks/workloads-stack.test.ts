import {
  COMPLIANCE_PRESETS,
  parseServiceSettings,
  SLA_TIERS,
} from "@search-platform/service/settings";
import { App } from "cdktf";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../service/src/config/load";
import { buildApp } from "../../stacks/app";
import {
  applyOverride,
  auroraMaxConnections,
  cloudWatchRetentionAtLeast,
  loadPlatformConfig,
  PlatformConfigError,
  type PlatformConfig,
} from "../../stacks/config";
import { DerivationError, deriveServiceSettings, RESERVED_CONNECTIONS } from "../../stacks/derive";
import { ENVIRONMENTS, loadEnvironments } from "../../stacks/environments";
import { InfraStack } from "../../stacks/infra-stack";
import { WorkloadsStack } from "../../stacks/workloads-stack";
import { containerEnvironment } from "../support/container-environment";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Synthesized {
  readonly text: Record<string, string>;
  readonly json: Record<string, Json>;
  readonly manifest: Json;
}

/** Synthesizes the app as main.ts does, into a fresh directory. */
function synthApp(): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), "workloads-test-"));
  try {
    buildApp({ env: {}, outdir }).synth();
    const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as Json;
    const text = Object.fromEntries(
      Object.entries(manifest.stacks as Json).map(([name, stack]) => [
        name,
        readFileSync(join(outdir, stack.synthesizedStackPath), "utf8"),
      ]),
    );
    const json = Object.fromEntries(Object.entries(text).map(([n, t]) => [n, JSON.parse(t)]));
    return { text, json, manifest };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const app = synthApp();
const environments = loadEnvironments();
const resources = (stack: Json, type: string): Json[] => Object.values(stack.resource[type] ?? {});
const only = (stack: Json, type: string): Json => {
  const all = resources(stack, type);
  expect(all).toHaveLength(1);
  return all[0];
};
const usableConnections = (config: PlatformConfig) =>
  Math.floor(
    auroraMaxConnections(config.aurora.instanceClass) *
      Math.min(0.8, config.observability.thresholds.auroraConnectionsPercent / 100),
  ) - Object.values(RESERVED_CONNECTIONS).reduce((a, b) => a + b, 0);

describe.each(environments.map((c) => [c.name, c] as const))(
  "search-%s-workloads",
  (env, config) => {
    const name = `search-${env}-workloads`;
    const stack = app.json[name];
    const infra = app.json[`search-${env}-infra`];
    const configMap = only(stack, "kubernetes_config_map_v1");
    const settingsFile = configMap.data["settings.json"] as string;
    const settings = parseServiceSettings(JSON.parse(settingsFile));
    const deployment = only(stack, "kubernetes_deployment_v1");
    const podSpec = deployment.spec.template.spec;
    const job = only(stack, "kubernetes_job_v1");
    const cronJob = only(stack, "kubernetes_cron_job_v1");
    const maintenancePod = cronJob.spec.job_template.spec.template.spec;
    const hpa = only(stack, "kubernetes_horizontal_pod_autoscaler_v2").spec;
    const ingressAnnotations = only(stack, "kubernetes_ingress_v1").metadata.annotations as Json;
    const alarms = Object.fromEntries(
      resources(stack, "aws_cloudwatch_metric_alarm").map((a) => [a.alarm_name, a]),
    );

    it("matches the snapshot", () => {
      expect(app.text[name]).toMatchSnapshot();
    });

    // ── Wiring ──────────────────────────────────────────────────────────────────────────────
    it("configures kubernetes and helm from the infra stack's remote state, with aws eks get-token", () => {
      const remote = `data.terraform_remote_state.cross-stack-reference-input-search-${env}-infra`;
      const kubernetes = stack.provider.kubernetes[0];
      const helm = stack.provider.helm[0].kubernetes;
      for (const provider of [kubernetes, helm]) {
        expect(provider.host).toMatch(new RegExp(`^\\$\\{${remote}\\.outputs\\.`));
        expect(provider.cluster_ca_certificate).toMatch(
          new RegExp(`^\\$\\{base64decode\\(${remote}\\.outputs\\.`),
        );
      }
      const exec = kubernetes.exec[0];
      expect(exec).toEqual(helm.exec);
      expect(exec.command).toBe("aws");
      expect(exec.args.slice(0, 3)).toEqual(["eks", "get-token", "--cluster-name"]);
      expect(exec.args[3]).toMatch(new RegExp(`^\\$\\{${remote}\\.outputs\\.`));
    });

    it("reads the infra stack's own state object, and every output it reads exists there", () => {
      const remote =
        stack.data.terraform_remote_state[`cross-stack-reference-input-search-${env}-infra`];
      expect(remote).toMatchObject({
        backend: "s3",
        config: {
          bucket: infra.terraform.backend.s3.bucket,
          key: infra.terraform.backend.s3.key,
          region: infra.terraform.backend.s3.region,
        },
      });
      const read = new Set(
        [
          ...app.text[name].matchAll(/terraform_remote_state\.[^.]+\.outputs\.([A-Za-z0-9_-]+)/g),
        ].map((m) => m[1]),
      );
      expect(read.size).toBeGreaterThan(5);
      for (const output of read) expect(Object.keys(infra.output)).toContain(output);
    });

    it("is deployed after the infra stack", () => {
      expect(app.manifest.stacks[name].dependencies).toEqual([`search-${env}-infra`]);
    });

    it("keeps no secret in the synthesized stack", () => {
      expect(app.text[name]).not.toMatch(/"PGPASSWORD",\s*"value"/);
      expect(app.text[name]).not.toMatch(/password"\s*:\s*"[^$]/i);
    });

    // ── The settings ────────────────────────────────────────────────────────────────────────
    it("renders exactly the derived settings, which the service's schema accepts", () => {
      expect(settings).toEqual(deriveServiceSettings(config));
    });

    it("rolls the pods on a settings change: the pod template carries the file's checksum", () => {
      expect(deployment.spec.template.metadata.annotations["checksum/settings"]).toBe(
        createHash("sha256").update(settingsFile).digest("hex"),
      );
    });

    it("keeps every connection the fleet can open at its peak within one instance's headroom", () => {
      const maxSurge = Number(deployment.spec.strategy.rolling_update.max_surge);
      const peakPods = hpa.max_replicas + maxSurge;
      expect(hpa.max_replicas).toBe(config.service.replicas.max);
      expect(
        peakPods * (settings.postgres.writerPoolMax + settings.postgres.readerPoolMax),
      ).toBeLessThanOrEqual(usableConnections(config));
    });

    it("keeps the audit trail as long in the service as in its log group, at least the preset's minimum", () => {
      const preset = COMPLIANCE_PRESETS[config.compliance.preset];
      const group = resources(stack, "aws_cloudwatch_log_group").find((g) =>
        String(g.name).endsWith("/audit"),
      )!;
      expect(group.retention_in_days).toBe(settings.governance.audit.retentionInDays);
      expect(group.retention_in_days).toBe(
        cloudWatchRetentionAtLeast(
          config.compliance.auditRetentionInDays ?? preset.minAuditRetentionInDays,
        ),
      );
      expect(group.retention_in_days).toBeGreaterThanOrEqual(preset.minAuditRetentionInDays);
      expect(group.kms_key_id).toMatch(/^\$\{data\.terraform_remote_state\./);
    });

    it("ships the service's audit records, and only those, to the audit log group, whose role can write there only", () => {
      const [groupId, group] = Object.entries(stack.resource.aws_cloudwatch_log_group as Json).find(
        ([, g]) => String(g.name).endsWith("/audit"),
      )!;
      expect(group.retention_in_days).toBe(settings.governance.audit.retentionInDays);
      const shipper = resources(stack, "helm_release").find((r) => r.name === "audit-log-shipper")!;
      const { config: collector, mode } = JSON.parse(shipper.values[0]) as Json;

      expect(mode).toBe("daemonset");
      expect(shipper.version).toBe(config.addons.openTelemetryCollector.chartVersion);
      expect(collector.receivers["filelog/audit"].include).toEqual([
        `/var/log/pods/${config.service.namespace}_search-*_*/search/*.log*`,
      ]);
      expect(collector.processors["filter/audit-only"].logs.log_record).toEqual([
        'attributes["log.iostream"] != "stdout"',
        'attributes["channel"] != "audit"',
      ]);
      expect(collector.service.pipelines.logs.exporters).toEqual(["awscloudwatchlogs/audit"]);
      expect(collector.exporters["awscloudwatchlogs/audit"].log_group_name).toBe(
        `\${aws_cloudwatch_log_group.${groupId}.name}`,
      );
      const permissions = Object.entries(stack.data.aws_iam_policy_document as Json)
        .filter(([id]) => id.startsWith("audit-log-shipper_role_permissions"))
        .flatMap(([, doc]) => doc.statement as Json[]);
      const arn = `\${aws_cloudwatch_log_group.${groupId}.arn}`;
      expect(permissions).toEqual([
        {
          sid: "WriteTheAuditLogGroupOnly",
          actions: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
          resources: [arn, `${arn}:log-stream:*`],
        },
      ]);
    });

    it("uses TLS to Redis exactly when ElastiCache encrypts in transit", () => {
      const redisUrl = podSpec.container[0].env.find((e: Json) => e.name === "REDIS_URL").value;
      expect(settings.redis.tls).toBe(config.redis.transitEncryption);
      expect(redisUrl.startsWith("rediss://")).toBe(config.redis.transitEncryption);
    });

    it("sets the latency alarm at the tier's p95 objective", () => {
      expect(alarms[`search-${env}-service-search-latency-p95`].threshold).toBe(
        SLA_TIERS[config.sla.tier].p95LatencyMs / 1000,
      );
    });

    it("shows every service alarm's state and the service's graphs on a dashboard of its own", () => {
      const dashboard = only(stack, "aws_cloudwatch_dashboard");
      const body = JSON.parse(dashboard.dashboard_body) as Json;
      const shown = body.widgets
        .filter((w: Json) => w.type === "alarm")
        .flatMap((w: Json) => w.properties.alarms);
      const arns = Object.keys(stack.resource.aws_cloudwatch_metric_alarm).map(
        (id) => `\${aws_cloudwatch_metric_alarm.${id}.arn}`,
      );

      expect(dashboard.dashboard_name).toBe(`search-${env}-service`);
      expect([...shown].sort()).toEqual([...arns].sort());
      expect(arns).toHaveLength(settings.cache.enabled ? 10 : 9);
      expect(
        body.widgets.filter((w: Json) => w.type === "text").map((w: Json) => w.properties.markdown),
      ).toEqual(["## Alarms", "## Search service"]);
    });

    it("takes the rate limits from the tier table", () => {
      for (const [tier, row] of Object.entries(SLA_TIERS)) {
        expect(settings.rateLimits.tiers[tier as keyof typeof SLA_TIERS]).toEqual(
          row.requestsPerMinute,
        );
      }
    });

    it("keeps the service's keep-alive above the ALB's idle timeout", () => {
      const idle = Number(
        /idle_timeout\.timeout_seconds=(\d+)/.exec(
          ingressAnnotations["alb.ingress.kubernetes.io/load-balancer-attributes"],
        )![1],
      );
      expect(idle).toBe(config.service.ingress.idleTimeoutSeconds);
      expect(settings.server.keepAliveTimeoutMs).toBeGreaterThan(idle * 1000);
    });

    it("lets a pod drain before it is killed, and the ALB let its requests finish", () => {
      const grace = podSpec.termination_grace_period_seconds;
      const preStop = Number(podSpec.container[0].lifecycle.pre_stop[0].exec.command[1]);
      expect(preStop).toBe(config.service.preStopDelaySeconds);
      expect((grace - preStop) * 1000).toBeGreaterThan(settings.server.shutdownGraceMs);
      const delay = Number(
        /deregistration_delay\.timeout_seconds=(\d+)/.exec(
          ingressAnnotations["alb.ingress.kubernetes.io/target-group-attributes"],
        )![1],
      );
      expect(delay * 1000).toBeGreaterThanOrEqual(preStop * 1000 + settings.server.shutdownGraceMs);
    });

    it("stops a statement in PostgreSQL before the client gives up on it", () => {
      for (const dep of ["postgresWriter", "postgresReader"] as const) {
        expect(settings.postgres.statementTimeoutMs).toBeLessThan(
          settings.resilience[dep].timeoutMs,
        );
        expect(settings.resilience[dep].timeoutMs).toBeLessThan(settings.server.requestTimeoutMs);
      }
    });

    // ── The service starts with what it is given ────────────────────────────────────────────
    // The service's own loader, on the image's ENV and the container's env (infra endpoints as
    // samples): a setting or variable the service would refuse fails here, not in the cluster.
    it("starts the server: its settings and environment pass the service's start-up validation", () => {
      const filesDirectory = mkdtempSync(join(tmpdir(), "container-env-"));
      try {
        const env = containerEnvironment({ podSpec, stack, infra, filesDirectory });

        const loaded = loadConfig(env);

        // The image's NODE_ENV: production rules (an audit key is required) are in play.
        expect(env.NODE_ENV).toBe("production");
        expect(loaded.endpoints.auditKeys).toEqual({
          kmsKeyId: env.AUDIT_HMAC_KMS_KEY_ID,
          previousKmsKeyIds: [],
          previous: [],
          region: config.aws.region,
          endpoint: undefined,
        });
        expect(loaded.settings).toEqual(settings);
        expect(loaded.settings.postgres).toMatchObject({ auth: "iam", sslMode: "verify-full" });
        expect(loaded.settings.redis).toMatchObject({ auth: "iam", tls: true });
        expect(loaded.endpoints.awsRegion).toBe(config.aws.region);
        expect(loaded.endpoints.postgresWriter.password).toBeUndefined();
        expect(loaded.endpoints.sslRootCertPath).toBe("/app/certs/rds-global-bundle.pem");
      } finally {
        rmSync(filesDirectory, { recursive: true, force: true });
      }
    });

    it("starts the audit maintenance: its settings and environment pass the admin CLI's start-up validation", () => {
      const filesDirectory = mkdtempSync(join(tmpdir(), "container-env-"));
      try {
        const env = containerEnvironment({
          podSpec: maintenancePod,
          stack,
          infra,
          filesDirectory,
          secrets: {
            "search-database-owner/username": "search_owner",
            "search-database-owner/password": "synced-by-external-secrets",
          },
        });

        // As admin/cli.ts loads it for audit-maintenance: the owner, PostgreSQL only, no key.
        const loaded = loadConfig(env, {
          defaultUser: "postgres",
          uses: { postgres: true, redis: false },
          usesAuditKey: false,
        });

        expect(env.NODE_ENV).toBe("production");
        expect(loaded.settings.postgres).toMatchObject({
          auth: "password",
          sslMode: "verify-full",
        });
        expect(loaded.endpoints.postgresWriter).toMatchObject({
          user: "search_owner",
          password: "synced-by-external-secrets",
        });
        expect(loaded.settings.governance.audit).toEqual(settings.governance.audit);
      } finally {
        rmSync(filesDirectory, { recursive: true, force: true });
      }
    });

    it("points PGSSLROOTCERT at the CA bundle the image installs, and runs a preStop command the image checks for", () => {
      const server = podSpec.container[0];
      const caPath = server.env.find((e: Json) => e.name === "PGSSLROOTCERT").value;
      const [command] = server.lifecycle.pre_stop[0].exec.command;
      const image = readFileSync(join(__dirname, "../../service/Dockerfile"), "utf8")
        .replace(/\\\n\s*/g, " ") // join continued lines
        .split("\n");

      expect(image).toContainEqual(
        expect.stringMatching(
          new RegExp(`^ADD .*https://truststore\\.pki\\.rds\\.amazonaws\\.com/\\S+\\s+${caPath}$`),
        ),
      );
      expect(image).toContainEqual(
        expect.stringMatching(new RegExp(`^RUN command -v ${command} `)),
      );
    });

    // ── The workload ────────────────────────────────────────────────────────────────────────
    it("deploys the configured image, migrating first", () => {
      expect(podSpec.container[0].image).toMatch(new RegExp(`:${config.service.imageTag}$`));
      expect(job.spec.template.spec.container[0].image).toBe(podSpec.container[0].image);
      expect(deployment.depends_on).toEqual([expect.stringMatching(/^kubernetes_job_v1\./)]);
      expect(job.wait_for_completion).toBe(true);
    });

    it.each([
      ["server", () => podSpec.container[0]],
      ["migration", () => job.spec.template.spec.container[0]],
      ["audit maintenance", () => maintenancePod.container[0]],
    ])("hardens the %s container and gives it resources", (_kind, container) => {
      expect(container().security_context).toMatchObject({
        allow_privilege_escalation: false,
        read_only_root_filesystem: true,
        run_as_non_root: true,
        capabilities: { drop: ["ALL"] },
        seccomp_profile: { type: "RuntimeDefault" },
      });
      expect(container().resources).toMatchObject({
        requests: {
          cpu: config.service.resources.cpuRequest,
          memory: config.service.resources.memoryRequest,
        },
        limits: { memory: config.service.resources.memoryLimit },
      });
    });

    it("runs the audit maintenance daily, one run at a time, as the owner, behind the NetworkPolicy", () => {
      const container = maintenancePod.container[0];
      const networkPolicy = only(stack, "kubernetes_network_policy_v1");
      expect(cronJob.spec).toMatchObject({
        schedule: "17 3 * * *",
        concurrency_policy: "Forbid",
        successful_jobs_history_limit: 3,
        failed_jobs_history_limit: 3,
      });
      expect(cronJob.spec.job_template.spec.active_deadline_seconds).toBe(900);
      expect(container.command).toEqual(["node", "dist/src/admin.js", "audit-maintenance"]);
      expect(container.image).toBe(podSpec.container[0].image);
      expect(container.env).toEqual(job.spec.template.spec.container[0].env);
      expect(maintenancePod.automount_service_account_token).toBe(false);
      expect(networkPolicy.spec.pod_selector).toEqual({});
      expect(cronJob.metadata.namespace).toBe(networkPolicy.metadata.namespace);
    });

    it("derives the audit key through KMS: the pods name the infra stack's HMAC key, and may call GenerateMac on it only", () => {
      const keyArn = podSpec.container[0].env.find(
        (e: Json) => e.name === "AUDIT_HMAC_KMS_KEY_ID",
      ).value;
      const remote = `data.terraform_remote_state.cross-stack-reference-input-search-${env}-infra`;
      const output = new RegExp(`^\\$\\{${remote}\\.outputs\\.([A-Za-z0-9_-]+)\\}$`).exec(
        keyArn,
      )?.[1];
      const hmacKeys = Object.entries(infra.resource.aws_kms_key as Json).filter(
        ([, k]) => k.customer_master_key_spec === "HMAC_256",
      );
      const permissions = Object.entries(stack.data.aws_iam_policy_document as Json)
        .filter(([id]) => id.startsWith("service_role_permissions"))
        .flatMap(([, doc]) => doc.statement as Json[]);
      const kmsActions = permissions.filter((st) =>
        (st.actions as string[]).some((a) => a.startsWith("kms:")),
      );

      expect(hmacKeys).toHaveLength(1);
      const [hmacKeyId, hmacKey] = hmacKeys[0];
      expect(hmacKey).toMatchObject({
        key_usage: "GENERATE_VERIFY_MAC",
        enable_key_rotation: false,
      });
      expect(infra.output[output!].value).toBe(`\${aws_kms_key.${hmacKeyId}.arn}`);
      expect(kmsActions).toEqual([
        { sid: "DeriveTheAuditKey", actions: ["kms:GenerateMac"], resources: [keyArn] },
      ]);
    });

    it("probes the server's start-up, readiness and liveness", () => {
      const server = podSpec.container[0];
      expect(
        [server.startup_probe, server.readiness_probe, server.liveness_probe].map(
          (p) => p.http_get.path,
        ),
      ).toEqual(["/health/startup", "/health/ready", "/health/live"]);
    });

    it("scales between the configured bounds on the configured targets", () => {
      expect([hpa.min_replicas, hpa.max_replicas]).toEqual([
        config.service.replicas.min,
        config.service.replicas.max,
      ]);
      expect(hpa.metric.map((m: Json) => m.resource.target.average_utilization)).toEqual([
        config.service.autoscaling.targetCpuPercent,
        config.service.autoscaling.targetMemoryPercent,
      ]);
    });

    it("installs the add-on chart versions the config pins", () => {
      const versions = Object.fromEntries(
        resources(stack, "helm_release").map((r) => [r.name, r.version]),
      );
      expect(versions).toMatchObject({
        "metrics-server": config.addons.metricsServer.chartVersion,
        "aws-load-balancer-controller": config.addons.awsLoadBalancerController.chartVersion,
        "external-secrets": config.addons.externalSecrets.chartVersion,
        "cluster-autoscaler": config.addons.clusterAutoscaler.chartVersion,
        "metrics-collector": config.addons.openTelemetryCollector.chartVersion,
      });
    });

    it("serves HTTPS when the config names a certificate", () => {
      const certificate = config.service.ingress.certificateArn;
      expect(ingressAnnotations["alb.ingress.kubernetes.io/certificate-arn"]).toBe(certificate);
      expect(ingressAnnotations["alb.ingress.kubernetes.io/scheme"]).toBe(
        config.service.ingress.scheme,
      );
    });
  },
);

describe("WorkloadsStack with a config the service cannot run with", () => {
  // A fresh app per call: a failed constructor leaves its half-built stack in the tree.
  const build = (override: unknown) => () => {
    const config = loadPlatformConfig("dev", applyOverride(ENVIRONMENTS.dev, override));
    const testApp = new App();
    const infra = new InfraStack(testApp, "search-dev-infra", { config });
    return new WorkloadsStack(testApp, "search-dev-workloads", { config, infra: infra.outputs });
  };

  it("fails when the HPA maximum leaves too few database connections", () => {
    const construct = build({ service: { replicas: { min: 1, max: 200 } } });
    expect(construct).toThrow(DerivationError);
    expect(construct).toThrow(
      '  - service.replicas.max: 200 pods (+50 during a rollout) need 1000 connections for pools of 2, but aurora.instanceClass "db.t4g.medium" leaves 325 (max_connections 419 × 80% − 10 reserved); lower service.replicas.max or choose a larger aurora.instanceClass',
    );
  });
});

describe("the config rules the workloads stack relies on", () => {
  const errors = (env: string, override: unknown): string[] => {
    try {
      loadPlatformConfig(
        env,
        typeof override === "function"
          ? override(ENVIRONMENTS[env])
          : applyOverride(ENVIRONMENTS[env], override),
      );
    } catch (e) {
      expect(e).toBeInstanceOf(PlatformConfigError);
      return (e as PlatformConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    throw new Error("expected the config to be rejected");
  };

  it.each([
    [
      "fails when prod has no certificate",
      "prod",
      // an override cannot remove a field: drop it from prod's input
      (input: Json) => ({
        ...input,
        service: { ...input.service, ingress: { scheme: "internal" } },
      }),
      "service.ingress.certificateArn: must be set in prod (HTTPS only)",
    ],
    [
      "fails when an internet-facing ALB has no certificate",
      "dev",
      { service: { ingress: { scheme: "internet-facing" } } },
      "service.ingress.certificateArn: must be set when service.ingress.scheme is internet-facing (no plain HTTP on the internet)",
    ],
    [
      "fails when Redis does not encrypt in transit",
      "dev",
      { redis: { transitEncryption: false } },
      "redis.transitEncryption: must be true: the service authenticates to ElastiCache with IAM, which needs TLS, got false",
    ],
    [
      "fails when Redis is older than 7",
      "dev",
      { redis: { engineVersion: "6.2" } },
      'redis.engineVersion: must be 7.0 or later for IAM authentication, got "6.2"',
    ],
    [
      "fails when the autoscaler does not match the cluster's Kubernetes minor",
      "dev",
      { addons: { clusterAutoscaler: { imageTag: "v1.33.2" } } },
      'addons.clusterAutoscaler.imageTag: must be a 1.34.x release to match eks.version (the autoscaler tracks the Kubernetes minor), got "v1.33.2"',
    ],
    [
      "fails when a chart version is a range",
      "dev",
      { addons: { metricsServer: { chartVersion: "~3.13.0" } } },
      'addons.metricsServer.chartVersion: must be an exact chart version like 1.2.3 (no ranges), got "~3.13.0"',
    ],
  ])("%s", (_name, env, override, message) => {
    expect(errors(env, override)).toEqual([message]);
  });
});
