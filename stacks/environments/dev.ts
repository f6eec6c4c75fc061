import type { PlatformConfigInput } from "../config";

/**
 * Development: two zones, one NAT gateway, burstable database and cache, no readers, and a
 * public API endpoint limited to the office range. Cheap and disposable; the policy report
 * lists each relaxation as a waived finding.
 */
export const dev: PlatformConfigInput = {
  name: "dev",
  stage: "dev",
  owner: "search-platform",
  preventDestroy: false,
  aws: {
    region: "eu-west-1",
    availabilityZones: ["eu-west-1a", "eu-west-1b"],
  },
  network: {
    vpcCidr: "10.10.0.0/16",
    natGateways: "single",
    flowLogRetentionInDays: 30,
  },
  eks: {
    version: "1.34",
    endpoint: { publicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
    nodeGroups: [
      {
        name: "general",
        instanceTypes: ["m7i.large", "m6i.large"],
        capacityType: "SPOT",
        minSize: 2,
        desiredSize: 2,
        maxSize: 4,
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
    logRetentionInDays: 30,
  },
  aurora: {
    engineVersion: "16.6",
    instanceClass: "db.t4g.medium",
    readers: 0,
    readerAutoscaling: { minReaders: 0, maxReaders: 1 },
    backupRetentionInDays: 1,
    deletionProtection: false,
    finalSnapshot: false,
    monitoringIntervalSeconds: 0,
    logRetentionInDays: 30,
  },
  redis: {
    engineVersion: "7.1",
    nodeType: "cache.t4g.small",
    shards: 1,
    replicasPerShard: 0,
    snapshotRetentionInDays: 1,
    logRetentionInDays: 30,
  },
  sla: { tier: "free" },
  compliance: { preset: "none" },
  observability: { logRetentionInDays: 30 },
  service: {
    imageTag: "0.1.0",
    replicas: { min: 1, max: 3 },
    resources: { cpuRequest: "250m", memoryRequest: "256Mi", memoryLimit: "256Mi" },
  },
  tags: { "cost-center": "search-dev" },
  // dev fails synth at the same severity as prod; each relaxation that makes it cheap is a
  // waiver with a reason and an expiry, listed as "waived" in every policy report, and it fails
  // synth again the day after it expires, so somebody has to look at it again.
  policy: {
    failAt: "high",
    waivers: [
      ...["aurora-backup-retention", "aurora-deletion-protection", "aurora-final-snapshot"].map(
        (rule) => ({
          rule,
          resource: "search-dev-infra/database/Cluster",
          reason: "dev data is synthetic and rebuilt from fixtures; the cluster is disposable",
          expires: "2027-06-30",
        }),
      ),
      {
        rule: "aurora-multi-az",
        resource: "search-dev-infra/database/Cluster",
        reason: "dev runs the writer alone; a zone outage in dev costs no customer anything",
        expires: "2027-06-30",
      },
      ...["elasticache-automatic-failover", "elasticache-multi-az"].map((rule) => ({
        rule,
        resource: "search-dev-infra/cache/ReplicationGroup",
        reason: "dev's cache is one node; the service already degrades to PostgreSQL without it",
        expires: "2027-06-30",
      })),
      {
        rule: "network-nat-per-az",
        resource: "search-dev-infra/network/nat-gateway-0",
        reason: "one NAT gateway halves dev's fixed network cost; a zone outage only pauses dev",
        expires: "2027-06-30",
      },
      {
        rule: "eks-endpoint-private",
        resource: "search-dev-infra/cluster/cluster",
        reason: "developers reach dev's API from the office range only (203.0.113.0/24), no VPN",
        expires: "2027-06-30",
      },
    ],
  },
  state: {
    bucket: "example-search-platform-tfstate",
    keyPrefix: "search/dev",
    region: "eu-west-1",
    lock: "s3-lockfile",
  },
};
