import type { StackView, TfBlock } from "../../terraform/stack-view";

/**
 * Tag that marks a log group as holding audit records. The service's audit log group carries
 * it; a group whose name has an "audit" segment (`/search/prod/audit`) counts too.
 */
export const AUDIT_LOG_TAG = { key: "log-class", value: "audit" } as const;

const AUDIT_SEGMENT = /(^|[/_.-])audit([/_.-]|$)/i;

/**
 * Does the log group hold audit data? A group whose name and tags cannot be read counts as one:
 * the stricter retention then applies rather than silently not.
 */
export function holdsAuditData(stack: StackView, group: TfBlock): boolean {
  const tag = stack.attr(group.body, `tags["${AUDIT_LOG_TAG.key}"]`);
  if (tag.kind === "literal" && tag.value === AUDIT_LOG_TAG.value) return true;
  const name = stack.attr(group.body, group.body.name !== undefined ? "name" : "name_prefix");
  if (name.kind !== "literal" || typeof name.value !== "string") return true;
  return AUDIT_SEGMENT.test(name.value);
}

/**
 * Log groups that hold security records: audit logs, VPC flow logs, EKS control-plane logs,
 * database logs and ElastiCache logs delivered to CloudWatch.
 */
export function holdsSecurityRecords(stack: StackView, group: TfBlock): boolean {
  if (holdsAuditData(stack, group)) return true;
  const name = stack.attr(group.body, "name");
  if (name.kind === "literal" && typeof name.value === "string") {
    if (/^\/aws\/(eks\/.+\/cluster|rds\/|elasticache\/)/.test(name.value)) return true;
  }
  const targets = (type: string, path: string) =>
    stack.resources(type).some((r) => {
      const v = stack.attr(r.body, path);
      return v.kind === "reference" && v.target === group;
    });
  if (targets("aws_flow_log", "log_destination")) return true;
  return stack.resources("aws_elasticache_replication_group").some((g) => {
    const configs = stack.blocksOf(g.body, "log_delivery_configuration");
    return (
      configs.ok &&
      configs.value.some((c) => {
        const v = stack.attr(c, "destination");
        return v.kind === "reference" && v.target === group;
      })
    );
  });
}
