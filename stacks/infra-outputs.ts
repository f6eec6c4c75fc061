import type { DatabaseEndpoints, KeyReference, NetworkReference } from "../constructs";

/**
 * What the workloads stack needs from the infra stack. Values are tokens of the infra stack's
 * resources; used from the workloads stack, cdktf turns each into an output of the infra stack
 * and a remote-state read in the workloads stack, and orders the two stacks.
 */
export interface InfraOutputs {
  readonly region: string;
  readonly network: NetworkReference;
  readonly cluster: {
    readonly name: string;
    readonly endpoint: string;
    /** Base64 PEM of the cluster CA, as EKS returns it. */
    readonly certificateAuthorityData: string;
    /** OIDC issuer URL (for IRSA, if a consumer prefers it over Pod Identity). */
    readonly oidcIssuerUrl: string;
    /** Security group of the worker nodes: data stores admit their ports from it. */
    readonly nodeSecurityGroupId: string;
  };
  readonly database: DatabaseEndpoints;
  readonly cache: {
    readonly primaryEndpoint: string;
    readonly readerEndpoint: string;
    readonly port: number;
    /** Clients must use TLS (ElastiCache in-transit encryption is on). */
    readonly transitEncryption: boolean;
    /** The replication group's id (`elasticache:Connect` ARNs name it). */
    readonly replicationGroupId: string;
  };
  readonly registry: {
    readonly repositoryUrl: string;
    readonly repositoryArn: string;
  };
  readonly alarmTopicArn: string;
  readonly keys: {
    /** Key for CloudWatch log groups. */
    readonly logs: KeyReference;
    /** HMAC_256 key the search service derives its audit trail's key from (GenerateMac). */
    readonly auditHmac: KeyReference;
  };
}
