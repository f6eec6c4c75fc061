import { PUBLIC_CIDRS } from "../../terraform/network";
import { resourceRule } from "../define";

/**
 * A public API endpoint, where there is one, admits only listed ranges — never the whole
 * internet. Not setting `public_access_cidrs` means 0.0.0.0/0.
 */
export const eksEndpointPublicCidrs = resourceRule({
  id: "eks-endpoint-public-cidrs",
  types: ["aws_eks_cluster"],
  fix: "Set `vpcConfig.publicAccessCidrs` to the office or VPN ranges (config `eks.endpoint.publicAccessCidrs`), or turn the public endpoint off.",
  check(cluster, stack) {
    const isPublic = stack.bool(cluster.body, "vpc_config.endpoint_public_access", {
      default: true,
    });
    if (!isPublic.ok) return [isPublic.problem];
    if (!isPublic.value) return [];
    const cidrs = stack.strings(cluster.body, "vpc_config.public_access_cidrs", {
      default: ["0.0.0.0/0"],
    });
    if (!cidrs.ok) return [cidrs.problem];
    if (cidrs.value.length === 0)
      return ["`vpc_config.public_access_cidrs` is empty, which AWS reads as 0.0.0.0/0"];
    const open = cidrs.value.filter((c) => PUBLIC_CIDRS.includes(c) || c.endsWith("/0"));
    return open.length > 0
      ? [`the public endpoint admits ${open.join(", ")} (the whole internet)`]
      : [];
  },
});
