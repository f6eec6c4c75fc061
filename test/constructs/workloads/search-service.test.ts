import { parseServiceSettings, type ServiceSettings } from "@search-platform/service/settings";
import { Testing, TerraformStack } from "cdktf";
import { createHash } from "node:crypto";
import {
  SearchService,
  type SearchServiceProps,
  SERVICE_DATABASE_USER,
  tagSlug,
} from "../../../constructs/workloads";
import { problemsOf } from "../../support/synth";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const baseSettings = parseServiceSettings({
  environment: "test",
  server: {
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 66_000,
    requestTimeoutMs: 10_000,
    shutdownGraceMs: 11_000,
  },
  postgres: { auth: "iam", sslMode: "verify-full", writerPoolMax: 20, readerPoolMax: 20 },
  redis: { tls: true, auth: "iam", user: "search-test-app", replicationGroupId: "search-test" },
  governance: { compliancePreset: "hipaa", audit: { retentionInDays: 2557 } },
});

const AUDIT_KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/audit-hmac";

function props(overrides: Partial<SearchServiceProps> = {}): SearchServiceProps {
  return {
    settings: baseSettings,
    image: { repositoryUrl: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/search", tag: "1.2.3" },
    clusterName: "search-test",
    region: "eu-west-1",
    vpcCidr: "10.40.0.0/16",
    database: {
      writerEndpoint: "writer.example.internal",
      readerEndpoint: "reader.example.internal",
      port: 5432,
      databaseName: "search",
      clusterResourceId: "cluster-ABCDEFGHIJKL",
      masterSecretArn:
        "arn:aws:secretsmanager:eu-west-1:111111111111:secret:rds!cluster-abc-123456",
    },
    cache: { endpoint: "cache.example.internal", port: 6379, replicationGroupId: "search-test" },
    ingress: { subnetIds: ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"] },
    auditLog: {
      logGroupName: "/search/test/audit",
      logsKey: { arn: "arn:aws:kms:eu-west-1:111111111111:key/logs", keyId: "logs" },
    },
    auditKey: { arn: AUDIT_KEY_ARN, keyId: "audit-hmac" },
    replicas: { min: 3, max: 20 },
    resources: { cpuRequest: "500m", memoryRequest: "512Mi", memoryLimit: "512Mi" },
    metricsScraper: {
      namespace: "observability",
      podLabels: { "app.kubernetes.io/name": "opentelemetry-collector" },
    },
    namePrefix: "search-test",
    ...overrides,
  };
}

function synth(overrides: Partial<SearchServiceProps> = {}): Json {
  const stack = new TerraformStack(Testing.app(), "test");
  new SearchService(stack, "service", props(overrides));
  return JSON.parse(Testing.synth(stack)) as Json;
}

const only = (json: Json, type: string): Json => {
  const all = Object.values(json.resource[type] ?? {}) as Json[];
  expect(all).toHaveLength(1);
  return all[0];
};
const statementsOf = (json: Json, resourceIdPart: string): Json[] =>
  Object.entries(json.data.aws_iam_policy_document as Json)
    .filter(([id]) => id.includes(resourceIdPart))
    .flatMap(([, doc]) => doc.statement as Json[]);

describe("SearchService", () => {
  // GIVEN the default props WHEN synthesized
  const json = synth();
  const deployment = only(json, "kubernetes_deployment_v1");
  const job = only(json, "kubernetes_job_v1");
  const podSpec = deployment.spec.template.spec;
  const server = podSpec.container[0];
  const migrate = job.spec.template.spec.container[0];
  const cronJob = only(json, "kubernetes_cron_job_v1");
  const maintenancePod = cronJob.spec.job_template.spec.template.spec;
  const maintenance = maintenancePod.container[0];

  it("renders the settings into the ConfigMap, parseable by the service's schema", () => {
    const configMap = only(json, "kubernetes_config_map_v1");
    const rendered = JSON.parse(configMap.data["settings.json"]);
    expect(parseServiceSettings(rendered)).toEqual(baseSettings);
    const migration = parseServiceSettings(JSON.parse(configMap.data["migration-settings.json"]));
    expect(migration.postgres.auth).toBe("password");
  });

  it("rolls the pods when the settings change: the template carries the file's checksum", () => {
    const configMap = only(json, "kubernetes_config_map_v1");
    const checksum = createHash("sha256").update(configMap.data["settings.json"]).digest("hex");
    expect(deployment.spec.template.metadata.annotations["checksum/settings"]).toBe(checksum);
    // WHEN one setting changes THEN the checksum does
    const changed = synth({
      settings: parseServiceSettings({ ...baseSettings, observability: { logLevel: "debug" } }),
    });
    expect(
      only(changed, "kubernetes_deployment_v1").spec.template.metadata.annotations[
        "checksum/settings"
      ],
    ).not.toBe(checksum);
  });

  it.each([
    ["the server", () => server],
    ["the migration Job", () => migrate],
    ["the audit maintenance", () => maintenance],
  ])("runs %s non-root, read-only, without privileges or capabilities", (_name, container) => {
    expect(container().security_context).toEqual({
      allow_privilege_escalation: false,
      privileged: false,
      read_only_root_filesystem: true,
      run_as_non_root: true,
      run_as_user: "10001",
      run_as_group: "10001",
      capabilities: { drop: ["ALL"] },
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(container().resources).toEqual({
      requests: { cpu: "500m", memory: "512Mi" },
      limits: { memory: "512Mi" },
    });
    // /tmp is the only writable path
    expect(container().volume_mount).toEqual([
      { name: "settings", mount_path: "/etc/search", read_only: true },
      { name: "tmp", mount_path: "/tmp" },
    ]);
  });

  it.each([
    ["the Deployment", () => podSpec],
    ["the Job", () => job.spec.template.spec],
    ["the CronJob", () => maintenancePod],
  ])("gives %s a pod security context with RuntimeDefault seccomp", (_name, spec) => {
    expect(spec().security_context).toMatchObject({
      run_as_non_root: true,
      seccomp_profile: { type: "RuntimeDefault" },
    });
    expect(spec().automount_service_account_token).toBe(false);
  });

  it("probes the server's health endpoints on its port", () => {
    expect(server.startup_probe.http_get.path).toBe("/health/startup");
    expect(server.readiness_probe.http_get.path).toBe("/health/ready");
    expect(server.liveness_probe.http_get.path).toBe("/health/live");
    for (const probe of [server.startup_probe, server.readiness_probe, server.liveness_probe]) {
      expect(probe.http_get.port).toBe("http");
    }
    expect(server.port).toEqual([{ name: "http", container_port: 8080, protocol: "TCP" }]);
  });

  it("keeps a pod in the endpoints through an Aurora failover (60 s of failed readiness)", () => {
    const probe = server.readiness_probe;
    expect(probe.period_seconds * probe.failure_threshold).toBe(60);
  });

  it("drains behind the ALB: preStop pause, then a grace period longer than the drain", () => {
    const grace = podSpec.termination_grace_period_seconds;
    expect(server.lifecycle.pre_stop[0].exec.command).toEqual(["sleep", "15"]);
    expect((grace - 15) * 1000).toBeGreaterThan(baseSettings.server.shutdownGraceMs);
    expect(grace).toBe(15 + 11 + 5);
    const annotations = only(json, "kubernetes_ingress_v1").metadata.annotations;
    expect(annotations["alb.ingress.kubernetes.io/target-group-attributes"]).toBe(
      "deregistration_delay.timeout_seconds=26",
    );
  });

  it("rolls out without losing capacity and spreads pods over zones and hosts", () => {
    expect(deployment.spec.strategy.rolling_update).toEqual({
      max_unavailable: "0",
      max_surge: "5",
    });
    expect(
      podSpec.topology_spread_constraint.map((c: Json) => [c.topology_key, c.when_unsatisfiable]),
    ).toEqual([
      ["topology.kubernetes.io/zone", "DoNotSchedule"],
      ["kubernetes.io/hostname", "ScheduleAnyway"],
    ]);
    expect(deployment.lifecycle.ignore_changes).toEqual(["spec[0].replicas"]);
  });

  it("runs the migration Job first, named after the image tag, and waits for it", () => {
    expect(job.metadata.name).toBe(`search-migrate-${tagSlug("1.2.3")}`);
    expect(job.wait_for_completion).toBe(true);
    expect(migrate.command).toEqual(["node", "dist/src/migrate.js"]);
    expect(deployment.depends_on).toEqual([expect.stringMatching(/^kubernetes_job_v1\./)]);
    // WHEN the tag changes THEN the Job is a new one
    const next = only(synth({ image: { ...props().image, tag: "1.2.4" } }), "kubernetes_job_v1");
    expect(next.metadata.name).not.toBe(job.metadata.name);
  });

  it("gives the migration Job the owner's credentials from the synced secret, nothing in state", () => {
    const env = Object.fromEntries(migrate.env.map((e: Json) => [e.name, e]));
    expect(env.PGUSER.value_from.secret_key_ref).toEqual({
      name: "search-database-owner",
      key: "username",
    });
    expect(env.PGPASSWORD.value_from.secret_key_ref).toEqual({
      name: "search-database-owner",
      key: "password",
    });
    expect(JSON.stringify(json)).not.toMatch(/"PGPASSWORD","value"/);
    const release = only(json, "helm_release");
    const manifests = JSON.parse(release.values[0]).manifests as Json[];
    expect(manifests.map((m) => m.kind)).toEqual(["SecretStore", "ExternalSecret"]);
    expect(manifests[1].spec.data).toEqual([
      {
        secretKey: "username",
        remoteRef: { key: props().database.masterSecretArn, property: "username" },
      },
      {
        secretKey: "password",
        remoteRef: { key: props().database.masterSecretArn, property: "password" },
      },
    ]);
  });

  it("gives the server endpoints, IAM identities and the settings path, no password", () => {
    const env = Object.fromEntries(server.env.map((e: Json) => [e.name, e.value]));
    expect(env).toEqual({
      PORT: "8080",
      SERVICE_CONFIG: "/etc/search/settings.json",
      PGHOST: "writer.example.internal",
      PGPORT: "5432",
      PGUSER: SERVICE_DATABASE_USER,
      PGDATABASE: "search",
      PGREADHOST: "reader.example.internal",
      PGREADPORT: "5432",
      PGSSLROOTCERT: "/app/certs/rds-global-bundle.pem",
      REDIS_URL: "rediss://cache.example.internal:6379",
      AWS_REGION: "eu-west-1",
      NODE_OPTIONS: "--max-old-space-size=384",
      AUDIT_HMAC_KMS_KEY_ID: AUDIT_KEY_ARN,
    });
    expect(server.image).toBe("111111111111.dkr.ecr.eu-west-1.amazonaws.com/search:1.2.3");
  });

  it("pulls a digest as repository@sha256", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    const pinned = only(
      synth({ image: { ...props().image, tag: digest } }),
      "kubernetes_deployment_v1",
    );
    expect(pinned.spec.template.spec.container[0].image).toBe(
      `111111111111.dkr.ecr.eu-west-1.amazonaws.com/search@${digest}`,
    );
  });

  it("after a rotation, derives the previous audit keys too, and may call GenerateMac on them only", () => {
    const previous = "arn:aws:kms:eu-west-1:111111111111:key/audit-hmac-2025";
    const rotated = synth({ previousAuditKeys: [{ arn: previous, keyId: "audit-hmac-2025" }] });

    const env = only(rotated, "kubernetes_deployment_v1").spec.template.spec.container[0].env;
    const derive = statementsOf(rotated, "role_permissions").find(
      (st) => st.sid === "DeriveTheAuditKey",
    );

    expect(env.filter((e: Json) => e.name.startsWith("AUDIT_HMAC"))).toEqual([
      { name: "AUDIT_HMAC_KMS_KEY_ID", value: AUDIT_KEY_ARN },
      { name: "AUDIT_HMAC_PREVIOUS_KMS_KEY_IDS", value: previous },
    ]);
    expect(derive).toEqual({
      sid: "DeriveTheAuditKey",
      actions: ["kms:GenerateMac"],
      resources: [AUDIT_KEY_ARN, previous],
    });
  });

  it("runs the audit maintenance daily as the owner, one run at a time, within a deadline", () => {
    expect(cronJob.metadata.name).toBe("search-audit-maintenance");
    expect(cronJob.metadata.namespace).toBe(deployment.metadata.namespace);
    expect(cronJob.spec).toMatchObject({
      schedule: "17 3 * * *",
      timezone: "Etc/UTC",
      concurrency_policy: "Forbid",
      starting_deadline_seconds: 21_600,
      successful_jobs_history_limit: 3,
      failed_jobs_history_limit: 3,
    });
    expect(cronJob.spec.job_template.spec).toMatchObject({
      backoff_limit: 2,
      active_deadline_seconds: 900,
    });
    expect(maintenancePod.restart_policy).toBe("Never");
    expect(maintenance.command).toEqual(["node", "dist/src/admin.js", "audit-maintenance"]);
    expect(maintenance.image).toBe(server.image);
    // The migration Job's environment: the owner from the synced secret, the migration settings.
    expect(maintenance.env).toEqual(migrate.env);
    expect(maintenance.env.map((e: Json) => e.name)).not.toContain("AUDIT_HMAC_KMS_KEY_ID");
    expect(maintenancePod.service_account_name).toBeUndefined();
    expect(cronJob.depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^kubernetes_job_v1\./)]),
    );
    expect(
      only(synth({ auditMaintenanceSchedule: "5 1 * * 0" }), "kubernetes_cron_job_v1").spec
        .schedule,
    ).toBe("5 1 * * 0");
  });

  it("uses plain redis:// only when the settings turn TLS off", () => {
    const plain = synth({
      settings: parseServiceSettings({
        ...baseSettings,
        // Plain Redis takes no IAM token (ElastiCache accepts those over TLS only).
        redis: { ...baseSettings.redis, tls: false, auth: "none" },
      }),
    });
    const env = only(plain, "kubernetes_deployment_v1").spec.template.spec.container[0].env;
    expect(env.find((e: Json) => e.name === "REDIS_URL").value).toBe(
      "redis://cache.example.internal:6379",
    );
  });

  it("lets the service connect to Aurora and Redis as its app users, and do nothing else", () => {
    // Partition and account are read at plan time; named <partition> and <account> here.
    const statements = JSON.parse(
      JSON.stringify(statementsOf(json, "role_permissions"))
        .replace(/\$\{data\.aws_partition\.[^}]+\}/g, "<partition>")
        .replace(/\$\{data\.aws_caller_identity\.[^}]+\}/g, "<account>"),
    );
    expect(statements).toEqual([
      {
        sid: "ConnectToAuroraAsTheAppRole",
        actions: ["rds-db:connect"],
        resources: [
          "arn:<partition>:rds-db:eu-west-1:<account>:dbuser:cluster-ABCDEFGHIJKL/search_app",
        ],
      },
      {
        sid: "ConnectToRedisAsTheAppUser",
        actions: ["elasticache:Connect"],
        resources: [
          "arn:<partition>:elasticache:eu-west-1:<account>:replicationgroup:search-test",
          "arn:<partition>:elasticache:eu-west-1:<account>:user:search-test-app",
        ],
      },
      {
        sid: "DeriveTheAuditKey",
        actions: ["kms:GenerateMac"],
        resources: [AUDIT_KEY_ARN],
      },
    ]);
    expect(only(json, "aws_eks_pod_identity_association")).toMatchObject({
      cluster_name: "search-test",
      namespace: "search",
      service_account: "search",
    });
  });

  it("scales on CPU and memory, up within a minute and down over five", () => {
    const hpa = only(json, "kubernetes_horizontal_pod_autoscaler_v2").spec;
    expect(hpa.min_replicas).toBe(3);
    expect(hpa.max_replicas).toBe(20);
    expect(
      hpa.metric.map((m: Json) => [m.resource.name, m.resource.target.average_utilization]),
    ).toEqual([
      ["cpu", 70],
      ["memory", 80],
    ]);
    expect(hpa.behavior.scale_up[0].stabilization_window_seconds).toBeLessThanOrEqual(60);
    expect(hpa.behavior.scale_down[0].stabilization_window_seconds).toBe(300);
    expect(only(json, "kubernetes_pod_disruption_budget_v1").spec.max_unavailable).toBe("1");
  });

  it("admits only the ALB's subnets and the metrics scraper, and lets out only what it needs", () => {
    const policy = only(json, "kubernetes_network_policy_v1").spec;
    // Every pod of the namespace: the server's, the migration Job's, the audit maintenance's.
    expect(policy.pod_selector).toEqual({});
    expect(cronJob.metadata.namespace).toBe(
      only(json, "kubernetes_network_policy_v1").metadata.namespace,
    );
    expect(policy.policy_types).toEqual(["Ingress", "Egress"]);
    expect(policy.ingress).toEqual([
      {
        from: [0, 1, 2].map((i) => ({
          ip_block: {
            cidr: expect.stringMatching(new RegExp(`data\\.aws_subnet\\.service_alb-subnet-${i}_`)),
          },
        })),
        ports: [{ port: "8080", protocol: "TCP" }],
      },
      {
        from: [
          {
            namespace_selector: {
              match_labels: { "kubernetes.io/metadata.name": "observability" },
            },
            pod_selector: { match_labels: { "app.kubernetes.io/name": "opentelemetry-collector" } },
          },
        ],
        ports: [{ port: "8080", protocol: "TCP" }],
      },
    ]);
    expect(
      policy.egress.map((rule: Json) => [
        rule.to.map((t: Json) => t.ip_block?.cidr ?? "kube-dns"),
        rule.ports.map((p: Json) => `${p.protocol}/${p.port}`),
      ]),
    ).toEqual([
      [["kube-dns"], ["UDP/53", "TCP/53"]],
      [["10.40.0.0/16"], ["TCP/5432", "TCP/6379"]],
      [["169.254.170.23/32"], ["TCP/80"]],
      [["0.0.0.0/0"], ["TCP/443"]],
    ]);
    const subnets = Object.values(json.data.aws_subnet as Json).map((s) => s.id);
    expect(subnets).toEqual(["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"]);
  });

  it("puts an internal ALB with IP targets in front, health-checked on readiness", () => {
    const annotations = only(json, "kubernetes_ingress_v1").metadata.annotations;
    expect(annotations).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internal",
      "alb.ingress.kubernetes.io/target-type": "ip",
      "alb.ingress.kubernetes.io/subnets": "subnet-0aaa,subnet-0bbb,subnet-0ccc",
      "alb.ingress.kubernetes.io/inbound-cidrs": "10.40.0.0/16",
      "alb.ingress.kubernetes.io/healthcheck-path": "/health/ready",
      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}]',
    });
    // the ALB's idle timeout stays below the service's keep-alive
    const idle = /idle_timeout\.timeout_seconds=(\d+)/.exec(
      annotations["alb.ingress.kubernetes.io/load-balancer-attributes"],
    )![1];
    expect(Number(idle) * 1000).toBeLessThan(baseSettings.server.keepAliveTimeoutMs);
    expect(annotations["alb.ingress.kubernetes.io/certificate-arn"]).toBeUndefined();
    expect(only(json, "kubernetes_ingress_v1").wait_for_load_balancer).toBe(true);
  });

  it("keeps GET /metrics off the ALB: the scraper reaches it inside the cluster", () => {
    const ingress = only(json, "kubernetes_ingress_v1");
    const paths = ingress.spec.rule[0].http.path as Json[];
    expect(paths.map((p) => [p.path, p.path_type, p.backend.service.name])).toEqual([
      ["/metrics", "Exact", "metrics-not-public"],
      ["/", "Prefix", expect.stringMatching(/^\$\{kubernetes_service_v1\./)],
    ]);
    expect(
      JSON.parse(
        ingress.metadata.annotations["alb.ingress.kubernetes.io/actions.metrics-not-public"],
      ),
    ).toEqual({
      type: "fixed-response",
      fixedResponseConfig: { contentType: "text/plain", statusCode: "404" },
    });
  });

  it("serves HTTPS with a modern policy and redirects HTTP when given a certificate", () => {
    const certificateArn =
      "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000001";
    const annotations = only(
      synth({
        ingress: { ...props().ingress, scheme: "internet-facing", certificateArn },
      }),
      "kubernetes_ingress_v1",
    ).metadata.annotations;
    expect(annotations).toMatchObject({
      "alb.ingress.kubernetes.io/scheme": "internet-facing",
      "alb.ingress.kubernetes.io/certificate-arn": certificateArn,
      "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
      "alb.ingress.kubernetes.io/ssl-redirect": "443",
      "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
      "alb.ingress.kubernetes.io/inbound-cidrs": "0.0.0.0/0",
    });
  });

  it("keeps the audit trail, encrypted, exactly as long as the settings keep audits", () => {
    expect(only(json, "aws_cloudwatch_log_group")).toMatchObject({
      name: "/search/test/audit",
      retention_in_days: baseSettings.governance.audit.retentionInDays,
      kms_key_id: "arn:aws:kms:eu-west-1:111111111111:key/logs",
    });
  });

  it("enforces the restricted Pod Security Standard and ALB readiness gates on its namespace", () => {
    expect(only(json, "kubernetes_namespace_v1").metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "restricted",
      "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled",
    });
  });

  describe("validation", () => {
    const fails = (overrides: Partial<SearchServiceProps>): string[] => [
      ...problemsOf(() => synth(overrides)),
    ];
    const withServer = (server: Partial<ServiceSettings["server"]>) =>
      parseServiceSettings({ ...baseSettings, server: { ...baseSettings.server, ...server } });

    it.each<[string, Partial<SearchServiceProps>, string]>([
      [
        "fails when the image tag is mutable",
        { image: { repositoryUrl: "r", tag: "latest" } },
        '`image.tag` must name one build (an immutable tag or a digest), got "latest"',
      ],
      [
        "fails when the image tag is not a tag",
        { image: { repositoryUrl: "r", tag: "1.0 beta" } },
        '`image.tag` must be an image tag or a sha256 digest, got "1.0 beta"',
      ],
      [
        "fails when the replicas are out of order",
        { replicas: { min: 5, max: 2 } },
        "`replicas` must satisfy 1 ≤ min ≤ max, got min 5 and max 2",
      ],
      [
        "fails when the keep-alive does not outlive the ALB's idle timeout",
        { settings: withServer({ keepAliveTimeoutMs: 60_000, headersTimeoutMs: 61_000 }) },
        "`settings.server.keepAliveTimeoutMs` must exceed the ALB's idle timeout (60000 ms), got 60000: the ALB would reuse connections the service has closed (502s)",
      ],
      [
        "fails when the drain is shorter than a request may last",
        { settings: withServer({ shutdownGraceMs: 5_000 }) },
        "`settings.server.shutdownGraceMs` must be at least server.requestTimeoutMs (10000), got 5000: the drain would cut requests short",
      ],
      [
        "fails when the service would sign its Redis tokens for another replication group",
        { cache: { endpoint: "cache.example.internal", port: 6379, replicationGroupId: "other" } },
        '`settings.redis.replicationGroupId` must be the cache\'s replication group "other" (its IAM auth tokens name it), got "search-test"',
      ],
      [
        "fails when an internet-facing ALB has no certificate",
        { ingress: { subnetIds: ["subnet-0aaa", "subnet-0bbb"], scheme: "internet-facing" } },
        "`ingress.certificateArn` must be set when the ALB is internet-facing",
      ],
      [
        "fails when the memory limit is not in Mi or Gi",
        { resources: { cpuRequest: "1", memoryRequest: "1G", memoryLimit: "1G" } },
        '`resources.memoryLimit` must be a quantity in Mi or Gi, got "1G"',
      ],
      [
        "fails when the audit maintenance schedule is not a cron expression",
        { auditMaintenanceSchedule: "daily" },
        '`auditMaintenanceSchedule` must be a cron expression of 5 fields, got "daily"',
      ],
      [
        "fails when the ALB would span one subnet",
        { ingress: { subnetIds: ["subnet-0aaa"] } },
        "`ingress.subnetIds` must list at least 2 subnets (an ALB spans two zones), got 1",
      ],
    ])("%s", (_name, overrides, message) => {
      expect(fails(overrides)).toEqual([message]);
    });

    it("reports every problem at once", () => {
      expect(
        fails({ image: { repositoryUrl: "r", tag: "latest" }, replicas: { min: 0, max: 1 } }),
      ).toHaveLength(2);
    });
  });
});

describe("tagSlug", () => {
  it.each([
    ["1.2.3", /^1-2-3-[0-9a-f]{8}$/],
    ["Release_2026.01", /^release-2026-01-[0-9a-f]{8}$/],
    [`sha256:${"ab".repeat(32)}`, /^(ab){15}-[0-9a-f]{8}$/],
  ])("makes %s a DNS label", (tag, pattern) => {
    const slug = tagSlug(tag);
    expect(slug).toMatch(pattern);
    expect(`search-migrate-${slug}`.length).toBeLessThanOrEqual(63);
  });

  it("keeps tags that slug alike apart", () => {
    expect(tagSlug("1.0_a")).not.toBe(tagSlug("1.0-a"));
  });
});
