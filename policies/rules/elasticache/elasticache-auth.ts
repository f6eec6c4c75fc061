import { resourceRule } from "../define";

/**
 * Clients authenticate: through an RBAC user group (IAM or password users), or with an AUTH
 * token that comes from a secret store or a generated password — never a literal.
 */
export const elasticacheAuth = resourceRule({
  id: "elasticache-auth",
  types: ["aws_elasticache_replication_group"],
  fix: "Attach an `aws_elasticache_user_group` through `userGroupIds` (IAM-authenticated users), or set `authToken` from a Secrets Manager secret or a random_password.",
  check(group, stack) {
    const groups = stack.list(group.body, "user_group_ids");
    if (!groups.ok) return [groups.problem];
    if (groups.value.length > 0) {
      const problems = groups.value.flatMap((v, i) => {
        const ref = stack.referenceTo(
          `user_group_ids[${i}]`,
          v,
          ["aws_elasticache_user_group"],
          "user_group_id",
        );
        return ref.ok ? [] : [ref.problem];
      });
      return problems;
    }
    const token = stack.attr(group.body, "auth_token");
    switch (token.kind) {
      case "missing":
        return [
          "neither `user_group_ids` nor `auth_token` is set: any client in the network can connect",
        ];
      case "literal":
        return ["`auth_token` is a literal: the token is in the configuration and the state"];
      case "reference":
      case "cross-stack":
        return [];
      default:
        return [`\`auth_token\` is ${token.expression}, which cannot be checked (${token.reason})`];
    }
  },
});
