/** A hardened Deployment and its companions, built with the kubernetes provider's classes. */
import {
  DeploymentV1,
  type DeploymentV1SpecTemplateSpecContainer,
  type DeploymentV1SpecTemplateSpecSecurityContext,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { JobV1 } from "@cdktf/provider-kubernetes/lib/job-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import type { IResolvable } from "cdktf";
import type { Construct } from "constructs";

export const LABELS = { "app.kubernetes.io/name": "search" };

export const hardenedContainer = (
  overrides: Partial<DeploymentV1SpecTemplateSpecContainer> = {},
): DeploymentV1SpecTemplateSpecContainer => ({
  name: "api",
  image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/search:1.4.2",
  resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { memory: "512Mi" } },
  livenessProbe: { httpGet: { path: "/health/live", port: "8080" } },
  readinessProbe: { httpGet: { path: "/health/ready", port: "8080" } },
  startupProbe: { httpGet: { path: "/health/live", port: "8080" }, failureThreshold: 30 },
  securityContext: {
    runAsNonRoot: true,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
  },
  ...overrides,
});

export interface DeploymentOptions {
  readonly container?: Partial<DeploymentV1SpecTemplateSpecContainer>;
  readonly podSecurityContext?: DeploymentV1SpecTemplateSpecSecurityContext;
  readonly hostNetwork?: boolean | IResolvable;
  readonly labels?: Record<string, string>;
  readonly namespace?: string;
}

export function deployment(scope: Construct, options: DeploymentOptions = {}): DeploymentV1 {
  const labels = options.labels ?? LABELS;
  return new DeploymentV1(scope, "deployment", {
    metadata: { name: "search", namespace: options.namespace ?? "search", labels },
    spec: {
      replicas: "3",
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: options.podSecurityContext ?? {
            runAsNonRoot: true,
            runAsUser: "10001",
            seccompProfile: { type: "RuntimeDefault" },
          },
          hostNetwork: options.hostNetwork,
          container: [hardenedContainer(options.container)],
        },
      },
    },
  });
}

export function migrationJob(
  scope: Construct,
  image = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/search:1.4.2",
): JobV1 {
  return new JobV1(scope, "migrate", {
    metadata: { name: "search-migrate", namespace: "search" },
    spec: {
      template: {
        metadata: { labels: { job: "migrate" } },
        spec: {
          restartPolicy: "Never",
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          container: [
            {
              name: "migrate",
              image,
              resources: {
                requests: { cpu: "100m", memory: "128Mi" },
                limits: { memory: "128Mi" },
              },
              securityContext: {
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
              },
            },
          ],
        },
      },
    },
  });
}

export function pdb(
  scope: Construct,
  matchLabels: Record<string, string> = LABELS,
  namespace = "search",
) {
  return new PodDisruptionBudgetV1(scope, "pdb", {
    metadata: { name: "search", namespace },
    spec: { maxUnavailable: "1", selector: { matchLabels } },
  });
}

export function networkPolicy(
  scope: Construct,
  podSelector: Record<string, unknown> = { matchLabels: LABELS },
  policyTypes = ["Ingress"],
) {
  return new NetworkPolicyV1(scope, "network-policy", {
    metadata: { name: "search", namespace: "search" },
    spec: {
      podSelector,
      policyTypes,
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            },
          ],
        },
      ],
    },
  });
}
