import { expect, resourceRule } from "../define";

const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  "aurora-postgresql": ["postgresql"],
  "aurora-mysql": ["audit", "error", "slowquery"],
};

/** The engine's logs go to CloudWatch, where they are retained, encrypted and searchable. */
export const auroraLogExports = resourceRule({
  id: "aurora-log-exports",
  types: ["aws_rds_cluster"],
  fix: 'Set `enabledCloudwatchLogsExports: ["postgresql"]` and create `/aws/rds/cluster/<name>/postgresql` with retention and a KMS key.',
  check(cluster, stack) {
    const engine = stack.string(cluster.body, "engine", { default: "aurora-mysql" });
    if (!engine.ok) return [engine.problem];
    const required = REQUIRED[engine.value];
    if (!required) return [`engine "${engine.value}" is not one this rule knows`];
    return expect(
      stack.strings(cluster.body, "enabled_cloudwatch_logs_exports", { default: [] }),
      (exports) => {
        const missing = required.filter((l) => !exports.includes(l));
        return missing.length > 0 ? [`logs not exported to CloudWatch: ${missing.join(", ")}`] : [];
      },
    );
  },
});
