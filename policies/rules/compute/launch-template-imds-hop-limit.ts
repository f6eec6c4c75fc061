import { resourceRule } from "../define";

/**
 * The metadata response hop limit is 1, so containers on the pod network cannot reach IMDS and
 * take the node role's credentials; pods get their own through EKS Pod Identity. Host-network
 * pods (the VPC CNI, the Pod Identity agent) are unaffected; the AWS Load Balancer Controller
 * needs `region` and `vpcId` set instead of discovering them.
 */
export const launchTemplateImdsHopLimit = resourceRule({
  id: "launch-template-imds-hop-limit",
  types: ["aws_launch_template"],
  fix: "Set `metadataOptions.httpPutResponseHopLimit: 1`.",
  check(template, stack) {
    const endpoint = stack.string(template.body, "metadata_options.http_endpoint", {
      default: "enabled",
    });
    if (!endpoint.ok) return [endpoint.problem];
    if (endpoint.value === "disabled") return [];
    const hops = stack.number(template.body, "metadata_options.http_put_response_hop_limit");
    if (!hops.ok) return [`${hops.problem} (the AMI's default applies)`];
    return hops.value === 1
      ? []
      : [`\`metadata_options.http_put_response_hop_limit\` is ${hops.value}: pods can reach IMDS`];
  },
});
