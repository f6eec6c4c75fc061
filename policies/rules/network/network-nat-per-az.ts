import { notApplicable, type PolicyRule } from "../../model";
import type { Read, StackView, TfBlock } from "../../terraform/stack-view";
import { unreadable } from "../../terraform/stack-view";
import { evaluated, finding } from "../define";

const FIX =
  'Create one NAT gateway per availability zone (config `network.natGateways: "one-per-az"`) and route each private subnet to its own zone\'s.';

function zoneOf(stack: StackView, subnet: TfBlock): Read<string> {
  const zone = stack.string(subnet.body, "availability_zone");
  if (zone.ok || stack.raw(subnet.body, "availability_zone_id") === undefined) return zone;
  return stack.string(subnet.body, "availability_zone_id");
}

/**
 * Every availability zone with subnets has its own NAT gateway, so losing a zone does not cut
 * the others off from the internet (image pulls, AWS APIs without endpoints).
 */
export const networkNatPerAz: PolicyRule = {
  id: "network-nat-per-az",
  check(stack) {
    const nats = stack.resources("aws_nat_gateway");
    if (nats.length === 0) return notApplicable("no aws_nat_gateway");
    const natZones = new Set<string>();
    const findings = [];
    for (const nat of nats) {
      const subnet = stack.refersTo(nat.body, "subnet_id", ["aws_subnet"]);
      const zone = subnet.ok
        ? zoneOf(stack.viewOf(subnet.value), subnet.value)
        : unreadable<string>(subnet.problem);
      if (zone.ok) natZones.add(zone.value);
      else findings.push(finding(stack.ref(nat), zone.problem, FIX));
    }
    const subnetZones = new Set<string>();
    for (const subnet of stack.resources("aws_subnet")) {
      const zone = zoneOf(stack, subnet);
      if (zone.ok) subnetZones.add(zone.value);
      else findings.push(finding(stack.ref(subnet), zone.problem, FIX));
    }
    const uncovered = [...subnetZones].filter((z) => !natZones.has(z)).sort();
    if (uncovered.length > 0) {
      findings.push(
        finding(
          stack.ref(nats[0]),
          `NAT gateways sit in ${[...natZones].sort().join(", ") || "no readable zone"}; subnets in ${uncovered.join(", ")} depend on another zone's NAT gateway`,
          FIX,
        ),
      );
    }
    const failed = new Set(findings.map((f) => f.resource.address));
    return evaluated(
      nats.filter((n) => !failed.has(n.address)).map((n) => stack.ref(n)),
      findings,
    );
  },
};
