import { resourceRule, type Problem } from "../define";

/**
 * The master password is generated and rotated by RDS in Secrets Manager
 * (`manage_master_user_password`); no password is written in the configuration or the state.
 */
export const auroraManagedMasterPassword = resourceRule({
  id: "aurora-managed-master-password",
  types: ["aws_rds_cluster"],
  fix: "Set `manageMasterUserPassword: true` (optionally `masterUserSecretKmsKeyId`) and remove `masterPassword`.",
  check(cluster, stack) {
    const problems: Problem[] = [];
    const managed = stack.bool(cluster.body, "manage_master_user_password", { default: false });
    if (!managed.ok) problems.push(managed.problem);
    else if (!managed.value) problems.push("`manage_master_user_password` is false or not set");
    for (const key of ["master_password", "master_password_wo"]) {
      if (stack.attr(cluster.body, key).kind !== "missing") {
        problems.push(`\`${key}\` is set: the password lives in the configuration or the state`);
      }
    }
    return problems;
  },
});
