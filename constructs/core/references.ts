/**
 * The small shapes constructs accept from each other. They are structural on purpose: a
 * construct of this package satisfies them, and so does a resource another app imported or
 * created itself (a `KmsKey` from @cdktf/provider-aws has an `arn` and a `keyId`).
 */

/** A customer-managed KMS key. */
export interface KeyReference {
  readonly arn: string;
  readonly keyId: string;
}

/** A VPC with three tiers of subnets, one subnet per availability zone in each tier. */
export interface NetworkReference {
  readonly vpcId: string;
  /** The VPC's primary IPv4 block; rules that admit traffic "from inside the VPC" use it. */
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  /** Subnets with a route to an internet gateway: load balancers, NAT gateways. */
  readonly publicSubnetIds: readonly string[];
  /** Subnets with egress through NAT: cluster nodes and pods. */
  readonly privateSubnetIds: readonly string[];
  /** Subnets with no route out of the VPC: databases and caches. */
  readonly isolatedSubnetIds: readonly string[];
}

/** Something whose traffic can be admitted by security group (e.g. the EKS nodes). */
export interface SecurityGroupReference {
  readonly securityGroupId: string;
}

/** Where alarms are sent. */
export interface AlarmTopicReference {
  readonly topicArn: string;
}

/**
 * An Aurora PostgreSQL cluster as its clients see it: endpoints, and what IAM database
 * authentication and a migration need. `AuroraPostgres` provides every field.
 */
export interface DatabaseEndpoints {
  readonly writerEndpoint: string;
  readonly readerEndpoint: string;
  readonly port: number;
  readonly databaseName: string;
  /** `cluster-XXXX`, named by `rds-db:connect` ARNs for IAM database authentication. */
  readonly clusterResourceId: string;
  /** The RDS-managed master user secret (Secrets Manager; rotation on). */
  readonly masterSecretArn: string;
}
