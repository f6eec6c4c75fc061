import { resourceRule } from "../define";

/** Every VPC records all its traffic (accepted and rejected) in flow logs. */
export const vpcFlowLogs = resourceRule({
  id: "vpc-flow-logs",
  types: ["aws_vpc"],
  fix: 'Add an `aws_flow_log` with `vpcId: <vpc>.id` and `trafficType: "ALL"` to a log group with retention and a KMS key.',
  check(vpc, stack) {
    const logs = stack
      .resources("aws_flow_log")
      .filter((log) => stack.pointsAt(stack.attr(log.body, "vpc_id"), vpc));
    if (logs.length === 0) return ["no `aws_flow_log` records this VPC's traffic"];
    const traffic = logs.map((log) => stack.string(log.body, "traffic_type"));
    if (traffic.some((t) => t.ok && t.value === "ALL")) return [];
    const unread = traffic.flatMap((t) => (t.ok ? [] : [t.problem]));
    return unread.length > 0
      ? unread
      : [
          "the VPC's flow logs record only accepted or only rejected traffic (`traffic_type` is not ALL)",
        ];
  },
});
