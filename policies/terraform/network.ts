/** Ports, protocols and address ranges of security group rules, in one shape. */
import type { JsonObject } from "./json";
import { ok, type Read, type StackView, type TfBlock } from "./stack-view";

/** One ingress or egress permission, wherever it was declared. */
export interface SecurityGroupRule {
  readonly direction: "ingress" | "egress";
  /** The resource that declares the rule (a security group, or a standalone rule resource). */
  readonly declaredBy: TfBlock;
  /** The security group the rule belongs to, when it is a block of this stack. */
  readonly group: TfBlock | undefined;
  /** `ingress[0]` for inline rules; `` for standalone rule resources. */
  readonly label: string;
  readonly body: JsonObject;
  /** "-1" for all protocols, else lowercase "tcp", "udp", "icmp" or a number. */
  readonly protocol: Read<string>;
  readonly fromPort: Read<number>;
  readonly toPort: Read<number>;
  /** IPv4 and IPv6 ranges the rule admits (literal values only; references are not ranges). */
  readonly cidrs: Read<string[]>;
}

export const PUBLIC_CIDRS = ["0.0.0.0/0", "::/0"];
export const STANDALONE_RULE_TYPES = [
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
];

const normalizeProtocol = (p: string): string =>
  p.toLowerCase() === "all" || p === "-1"
    ? "-1"
    : p === "6"
      ? "tcp"
      : p === "17"
        ? "udp"
        : p.toLowerCase();

/** The stack's security group rules, and the resources whose rules cannot be read. */
export interface SecurityGroupRules {
  readonly rules: readonly SecurityGroupRule[];
  readonly unreadable: readonly { readonly block: TfBlock; readonly problem: string }[];
}

/** Every rule of the stack: inline `ingress` / `egress` blocks and standalone rule resources. */
export function securityGroupRules(stack: StackView): SecurityGroupRules {
  const rules: SecurityGroupRule[] = [];
  const unreadableRules: { block: TfBlock; problem: string }[] = [];
  for (const group of stack.resources("aws_security_group", "aws_default_security_group")) {
    for (const direction of ["ingress", "egress"] as const) {
      const blocks = stack.blocksOf(group.body, direction);
      if (!blocks.ok) {
        unreadableRules.push({ block: group, problem: blocks.problem });
        continue;
      }
      blocks.value.forEach((body, i) => {
        const cidrs = [
          readCidrs(stack, body, "cidr_blocks"),
          readCidrs(stack, body, "ipv6_cidr_blocks"),
        ];
        rules.push({
          direction,
          declaredBy: group,
          group,
          label: `${direction}[${i}]`,
          body,
          protocol: mapRead(stack.string(body, "protocol"), normalizeProtocol),
          fromPort: stack.number(body, "from_port"),
          toPort: stack.number(body, "to_port"),
          cidrs: allOk(cidrs),
        });
      });
    }
  }
  for (const rule of stack.resources(...STANDALONE_RULE_TYPES)) {
    const legacy = rule.type === "aws_security_group_rule";
    const direction = legacy
      ? stack.string(rule.body, "type")
      : ok(rule.type.endsWith("ingress_rule") ? "ingress" : "egress");
    if (!direction.ok || (direction.value !== "ingress" && direction.value !== "egress")) {
      unreadableRules.push({ block: rule, problem: '`type` must be "ingress" or "egress"' });
      continue;
    }
    const groupRef = stack.attr(rule.body, "security_group_id");
    const protocol = mapRead(
      stack.string(rule.body, legacy ? "protocol" : "ip_protocol"),
      normalizeProtocol,
    );
    const allProtocols = protocol.ok && protocol.value === "-1";
    // The VPC rule resources take no ports for "all protocols"; the legacy one takes 0-0 or 0-65535.
    const port = (key: string): Read<number> =>
      allProtocols && !legacy ? ok(key === "from_port" ? 0 : 65535) : stack.number(rule.body, key);
    const cidrs = legacy
      ? [
          readCidrs(stack, rule.body, "cidr_blocks"),
          readCidrs(stack, rule.body, "ipv6_cidr_blocks"),
        ]
      : [readCidr(stack, rule.body, "cidr_ipv4"), readCidr(stack, rule.body, "cidr_ipv6")];
    rules.push({
      direction: direction.value,
      declaredBy: rule,
      group: groupRef.kind === "reference" ? groupRef.target : undefined,
      label: "",
      body: rule.body,
      protocol,
      fromPort: port("from_port"),
      toPort: port("to_port"),
      cidrs: allOk(cidrs),
    });
  }
  return { rules, unreadable: unreadableRules };
}

/** True when the rule's port range covers `port` (all protocols cover every port). */
export function coversPort(rule: SecurityGroupRule, port: number): Read<boolean> {
  if (!rule.protocol.ok) return rule.protocol;
  if (rule.protocol.value === "-1") return ok(true);
  if (rule.protocol.value !== "tcp") return ok(false);
  if (!rule.fromPort.ok) return rule.fromPort;
  if (!rule.toPort.ok) return rule.toPort;
  // from 0 to 0 on TCP is read by AWS as "all ports" only for protocol -1; here it is port 0.
  return ok(rule.fromPort.value <= port && port <= rule.toPort.value);
}

function readCidrs(stack: StackView, obj: JsonObject, key: string): Read<string[]> {
  const raw = obj[key];
  if (raw === undefined || raw === null) return ok([]);
  return stack.strings(obj, key);
}

function readCidr(stack: StackView, obj: JsonObject, key: string): Read<string[]> {
  const value = stack.attr(obj, key);
  if (value.kind === "missing") return ok([]);
  const read = stack.string(obj, key);
  return read.ok ? ok([read.value]) : read;
}

function allOk(reads: readonly Read<string[]>[]): Read<string[]> {
  const bad = reads.find((r) => !r.ok);
  return bad ?? ok(reads.flatMap((r) => (r.ok ? r.value : [])));
}

function mapRead<T, U>(read: Read<T>, f: (v: T) => U): Read<U> {
  return read.ok ? ok(f(read.value)) : read;
}

/** `from_port`-`to_port` for messages. */
export function describePorts(rule: SecurityGroupRule): string {
  if (rule.protocol.ok && rule.protocol.value === "-1") return "all traffic";
  const from = rule.fromPort.ok ? rule.fromPort.value : "?";
  const to = rule.toPort.ok ? rule.toPort.value : "?";
  const proto = rule.protocol.ok ? rule.protocol.value : "?";
  return from === to ? `${proto} ${from}` : `${proto} ${from}-${to}`;
}

/** The rule's name in messages: `aws_security_group.x ingress[0]` or the rule resource's address. */
export function describeRule(rule: SecurityGroupRule): string {
  return rule.label ? `${rule.label}` : rule.declaredBy.type;
}
