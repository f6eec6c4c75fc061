import type { PolicyRule } from "../../model";
import { coversPort, describePorts, PUBLIC_CIDRS } from "../../terraform/network";
import type { Problem } from "../define";
import { judgeSecurityGroupRules } from "./judge-rules";

/** PostgreSQL and Redis ports. */
export const DATA_PORTS = [5432, 6379];

/** No rule admits the internet (0.0.0.0/0 or ::/0) to a database or cache port. */
export const sgNoPublicDataPorts: PolicyRule = {
  id: "sg-no-public-data-ports",
  check: (stack) =>
    judgeSecurityGroupRules(
      stack,
      "Admit the data port from the EKS node security group (`referencedSecurityGroupId`) only.",
      (rule) => {
        if (rule.direction !== "ingress") return [];
        if (!rule.cidrs.ok) return [rule.cidrs.problem];
        const open = rule.cidrs.value.filter((c) => PUBLIC_CIDRS.includes(c));
        if (open.length === 0) return [];
        const problems: Problem[] = [];
        for (const port of DATA_PORTS) {
          const covered = coversPort(rule, port);
          if (!covered.ok) problems.push(covered.problem);
          else if (covered.value) {
            problems.push(
              `admits ${open.join(", ")} on ${describePorts(rule)}, which includes data port ${port}`,
            );
          }
        }
        return problems;
      },
    ),
};
