import type { PlatformConfigInput } from "../config";

/**
 * Production: three zones, a NAT gateway per zone, a private API endpoint, a writer and two
 * readers (autoscaled up to five), Redis with two replicas, 30 days of backups, the enterprise
 * tier and the HIPAA preset.
 */
export const prod: PlatformConfigInput = {
  name: "prod",
  stage: "prod",
  owner: "search-platform",
  preventDestroy: true,
  aws: {
    region: "eu-west-1",
    availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  },
  network: {
    vpcCidr: "10.30.0.0/16",
    natGateways: "one-per-az",
  },
  eks: {
    version: "1.34",
    endpoint: { publicAccess: false },
    nodeGroups: [
      {
        name: "general",
        instanceTypes: ["m7i.xlarge"],
        capacityType: "ON_DEMAND",
        minSize: 3,
        desiredSize: 3,
        maxSize: 12,
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
    instanceClass: "db.r7g.xlarge",
    readers: 2,
    readerAutoscaling: { minReaders: 2, maxReaders: 5 },
    backupRetentionInDays: 30,
    deletionProtection: true,
    finalSnapshot: true,
    performanceInsightsRetentionInDays: 31,
  },
  redis: {
    engineVersion: "7.1",
    nodeType: "cache.r7g.large",
    shards: 1,
    replicasPerShard: 2,
    snapshotRetentionInDays: 7,
  },
  sla: { tier: "enterprise" },
  compliance: { preset: "hipaa" },
  observability: {},
  service: {
    imageTag: "0.1.0",
    replicas: { min: 3, max: 20 },
    resources: {
      cpuRequest: "500m",
      cpuLimit: "1000m",
      memoryRequest: "512Mi",
      memoryLimit: "512Mi",
    },
    ingress: {
      scheme: "internal",
      certificateArn:
        "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000003",
      host: "search.prod.example.com",
    },
  },
  tags: { "cost-center": "search-prod", "data-classification": "phi" },
  policy: { failAt: "high" },
  state: {
    bucket: "example-search-platform-tfstate",
    keyPrefix: "search/prod",
    region: "eu-west-1",
    lock: "s3-lockfile",
  },
};
