import { resourceRule, type Problem } from "../define";

/**
 * Every VPC's default security group is taken over and emptied (`aws_default_security_group`
 * with no rules). Left alone it admits all traffic between its members and all egress, and
 * anything launched without a group lands in it.
 */
export const vpcDefaultSgClosed = resourceRule({
  id: "vpc-default-sg-closed",
  types: ["aws_vpc"],
  fix: "Add `new DefaultSecurityGroup(scope, id, { vpcId: vpc.id })` with no ingress or egress: Terraform then removes the default rules.",
  check(vpc, stack) {
    const defaults = stack.resources("aws_default_security_group").filter((g) => {
      const target = stack.attr(g.body, "vpc_id");
      return target.kind === "reference" && target.target === vpc;
    });
    if (defaults.length === 0) {
      return ["the VPC's default security group is not managed: it keeps its allow-all rules"];
    }
    const problems: Problem[] = [];
    for (const group of defaults) {
      for (const direction of ["ingress", "egress"]) {
        const rules = stack.blocksOf(group.body, direction);
        if (!rules.ok) problems.push(rules.problem);
        else if (rules.value.length > 0) {
          problems.push(`${group.address} keeps ${rules.value.length} ${direction} rule(s)`);
        }
      }
      for (const rule of stack.resources(
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
      )) {
        const target = stack.attr(rule.body, "security_group_id");
        if (target.kind === "reference" && target.target === group) {
          problems.push(`${rule.address} adds a rule to the default security group`);
        }
      }
    }
    return problems;
  },
});
