import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { Construct } from "constructs";
import type { SecurityGroupReference } from "../core";

export interface ClientSecurityGroupOptions {
  readonly name: string;
  /** Says what the group guards and that only its clients get in. */
  readonly description: string;
  readonly vpcId: string;
  readonly port: number;
  /** Names the protocol in each rule's description, e.g. "PostgreSQL". */
  readonly protocol: string;
  readonly clients: readonly SecurityGroupReference[];
}

/**
 * A data store's security group: its port from each client's security group and nothing else
 * (no CIDR rules, no egress rules). Created in `scope` as `SecurityGroup` and
 * `IngressFromClient<n>`: those IDs are Terraform addresses, keep them.
 */
export function clientSecurityGroup(
  scope: Construct,
  options: ClientSecurityGroupOptions,
): SecurityGroup {
  const group = new SecurityGroup(scope, "SecurityGroup", {
    name: options.name,
    description: options.description,
    vpcId: options.vpcId,
    revokeRulesOnDelete: true,
  });
  options.clients.forEach((client, i) => {
    new VpcSecurityGroupIngressRule(scope, `IngressFromClient${i + 1}`, {
      securityGroupId: group.id,
      referencedSecurityGroupId: client.securityGroupId,
      ipProtocol: "tcp",
      fromPort: options.port,
      toPort: options.port,
      description: `${options.protocol} from client security group ${i + 1}`,
    });
  });
  return group;
}
