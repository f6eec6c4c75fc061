import type { PolicyRule } from "../../model";
import { describePorts, PUBLIC_CIDRS, type SecurityGroupRule } from "../../terraform/network";
import type { StackView, TfBlock } from "../../terraform/stack-view";
import { judgeSecurityGroupRules } from "./judge-rules";

const LOAD_BALANCER_TYPES = ["aws_lb", "aws_alb", "aws_elb"];
const WEB_PORTS = [80, 443];

/** Security groups attached to a load balancer of the stack. */
function loadBalancerGroups(stack: StackView): Set<TfBlock> {
  const groups = new Set<TfBlock>();
  for (const lb of stack.resources(...LOAD_BALANCER_TYPES)) {
    const refs = stack.list(lb.body, "security_groups");
    if (!refs.ok) continue;
    for (const v of refs.value) if (v.kind === "reference") groups.add(v.target);
  }
  return groups;
}

function isWebPort(rule: SecurityGroupRule): boolean {
  return (
    rule.protocol.ok &&
    rule.protocol.value === "tcp" &&
    rule.fromPort.ok &&
    rule.toPort.ok &&
    rule.fromPort.value === rule.toPort.value &&
    WEB_PORTS.includes(rule.fromPort.value)
  );
}

/**
 * The internet (0.0.0.0/0, ::/0) reaches nothing but ports 80 and 443 of a load balancer's
 * security group. Everything else — nodes, databases, caches — is reached from inside the VPC.
 */
export const sgNoPublicIngress: PolicyRule = {
  id: "sg-no-public-ingress",
  check(stack) {
    const lbGroups = loadBalancerGroups(stack);
    return judgeSecurityGroupRules(
      stack,
      "Admit the VPC's range or a source security group instead; put internet-facing traffic behind a load balancer on 80/443.",
      (rule) => {
        if (rule.direction !== "ingress") return [];
        if (!rule.cidrs.ok) return [rule.cidrs.problem];
        const open = rule.cidrs.value.filter((c) => PUBLIC_CIDRS.includes(c));
        if (open.length === 0) return [];
        if (isWebPort(rule) && rule.group && lbGroups.has(rule.group)) return [];
        if (!rule.protocol.ok) return [rule.protocol.problem];
        if (rule.protocol.value !== "-1") {
          const unread = [rule.fromPort, rule.toPort].flatMap((p) => (p.ok ? [] : [p.problem]));
          if (unread.length > 0) return unread;
        }
        const where =
          rule.group && lbGroups.has(rule.group) ? "" : " of a group no load balancer uses";
        return [`admits ${open.join(", ")} on ${describePorts(rule)}${where}`];
      },
    );
  },
};
