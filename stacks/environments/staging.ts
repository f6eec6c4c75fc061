import type { PlatformConfigInput } from "../config";

/**
 * Staging: shaped like prod (three zones, a NAT gateway per zone, a reader, deletion
 * protection) on smaller instances, under the GDPR preset.
 */
export const staging: PlatformConfigInput = {
  name: "staging",
  stage: "staging",
  owner: "search-platform",
  preventDestroy: true,
  aws: {
    region: "eu-west-1",
    availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  },
  network: {
    vpcCidr: "10.20.0.0/16",
    natGateways: "one-per-az",
  },
  eks: {
    version: "1.34",
    endpoint: { publicAccess: false },
    nodeGroups: [
      {
        name: "general",
        instanceTypes: ["m7i.large"],
        capacityType: "ON_DEMAND",
        minSize: 3,
        desiredSize: 3,
        maxSize: 6,
      },
    ],
    addons: {
      vpcCni: "v1.20.4-eksbuild.1",
      coredns: "v1.12.4-eksbuild.1",
      kubeProxy: "v1.34.1-eksbuild.2",
      podIdentityAgent: "v1.3.9-eksbuild.3",
      ebsCsiDriver: "v1.51.1-eksbuild.1",
      cloudWatchObservability: "v4.4.0-eksbuild.1",
    },
  },
  aurora: {
    engineVersion: "16.6",
    instanceClass: "db.r7g.large",
    readers: 1,
    readerAutoscaling: { minReaders: 1, maxReaders: 3 },
    backupRetentionInDays: 7,
    deletionProtection: true,
    finalSnapshot: true,
  },
  redis: {
    engineVersion: "7.1",
    nodeType: "cache.m7g.large",
    shards: 1,
    replicasPerShard: 1,
    snapshotRetentionInDays: 3,
  },
  sla: { tier: "standard" },
  compliance: { preset: "gdpr" },
  observability: {},
  service: {
    imageTag: "0.1.0",
    replicas: { min: 2, max: 6 },
    resources: { cpuRequest: "500m", memoryRequest: "512Mi", memoryLimit: "512Mi" },
    ingress: {
      scheme: "internal",
      certificateArn:
        "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000002",
      host: "search.staging.example.com",
    },
  },
  tags: { "cost-center": "search-staging" },
  policy: { failAt: "high" },
  state: {
    bucket: "example-search-platform-tfstate",
    keyPrefix: "search/staging",
    region: "eu-west-1",
    lock: "s3-lockfile",
  },
};
