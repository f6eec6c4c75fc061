import { resourceRule } from "../define";

/**
 * The cluster API is served on the private endpoint only. Outside prod a public endpoint limited
 * to known ranges is an accepted relaxation, recorded as a waiver.
 */
export const eksEndpointPrivate = resourceRule({
  id: "eks-endpoint-private",
  types: ["aws_eks_cluster"],
  fix: "Set `vpcConfig.endpointPublicAccess: false` (reach the API from inside the VPC: VPN, bastion or CI runners in the VPC).",
  check(cluster, stack) {
    // The provider's default for endpoint_public_access is true.
    const isPublic = stack.bool(cluster.body, "vpc_config.endpoint_public_access", {
      default: true,
    });
    if (!isPublic.ok) return [isPublic.problem];
    return isPublic.value
      ? ["`vpc_config.endpoint_public_access` is true (or not set, which means true)"]
      : [];
  },
});
