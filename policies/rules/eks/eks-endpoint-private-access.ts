import { resourceRule } from "../define";

/** Nodes and in-VPC clients reach the API through the private endpoint, not over the internet. */
export const eksEndpointPrivateAccess = resourceRule({
  id: "eks-endpoint-private-access",
  types: ["aws_eks_cluster"],
  fix: "Set `vpcConfig.endpointPrivateAccess: true`.",
  check(cluster, stack) {
    const isPrivate = stack.bool(cluster.body, "vpc_config.endpoint_private_access", {
      default: false,
    });
    if (!isPrivate.ok) return [isPrivate.problem];
    return isPrivate.value
      ? []
      : ["`vpc_config.endpoint_private_access` is false or not set (the default is false)"];
  },
});
