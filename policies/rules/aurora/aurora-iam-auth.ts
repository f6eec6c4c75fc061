import { resourceRule } from "../define";

/** The service connects with short-lived IAM tokens (`rds-db:connect`), not a stored password. */
export const auroraIamAuth = resourceRule({
  id: "aurora-iam-auth",
  types: ["aws_rds_cluster"],
  fix: "Set `iamDatabaseAuthenticationEnabled: true` and grant the service's role `rds-db:connect` on its database user.",
  check(cluster, stack) {
    const enabled = stack.bool(cluster.body, "iam_database_authentication_enabled", {
      default: false,
    });
    if (!enabled.ok) return [enabled.problem];
    return enabled.value ? [] : ["`iam_database_authentication_enabled` is false or not set"];
  },
});
