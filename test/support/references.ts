import type { KeyReference, NetworkReference, SecurityGroupReference } from "../../constructs";

/**
 * Plain literal references, as another cdktf app would pass them: construct tests do not depend
 * on the constructs that create networks and keys.
 */
export const network: NetworkReference = {
  vpcId: "vpc-0123456789abcdef0",
  vpcCidr: "10.30.0.0/16",
  availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  publicSubnetIds: ["subnet-pub-a", "subnet-pub-b", "subnet-pub-c"],
  privateSubnetIds: ["subnet-prv-a", "subnet-prv-b", "subnet-prv-c"],
  isolatedSubnetIds: ["subnet-iso-a", "subnet-iso-b", "subnet-iso-c"],
};

export const dataKey: KeyReference = {
  arn: "arn:aws:kms:eu-west-1:123456789012:key/data-key",
  keyId: "data-key",
};

export const logsKey: KeyReference = {
  arn: "arn:aws:kms:eu-west-1:123456789012:key/logs-key",
  keyId: "logs-key",
};

export const alarmsKey: KeyReference = {
  arn: "arn:aws:kms:eu-west-1:123456789012:key/alarms-key",
  keyId: "alarms-key",
};

export const nodes: SecurityGroupReference = { securityGroupId: "sg-nodes" };
export const jobs: SecurityGroupReference = { securityGroupId: "sg-jobs" };
