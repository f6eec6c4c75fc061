import { resourceRule } from "../define";

/**
 * Every ElastiCache user either is switched off (`access_string` starting with "off", as the
 * required "default" user should be) or authenticates with IAM or a password.
 */
export const elasticacheUserAuthentication = resourceRule({
  id: "elasticache-user-authentication",
  types: ["aws_elasticache_user"],
  fix: 'Give the user `authenticationMode: { type: "iam" }`, or switch it off with an access string starting with "off".',
  check(user, stack) {
    const access = stack.string(user.body, "access_string");
    if (!access.ok) return [access.problem];
    if (/^off(\s|$)/.test(access.value.trim())) return [];
    const noPassword = stack.bool(user.body, "no_password_required", { default: false });
    if (!noPassword.ok) return [noPassword.problem];
    if (noPassword.value) return ["`no_password_required` is true on an enabled user"];
    const mode = stack.string(user.body, "authentication_mode.type");
    if (mode.ok) {
      return mode.value === "iam" || mode.value === "password"
        ? []
        : [`\`authentication_mode.type\` is "${mode.value}" on an enabled user`];
    }
    return stack.attr(user.body, "passwords").kind === "missing"
      ? ["the user is enabled with no `authentication_mode` and no `passwords`"]
      : [];
  },
});
