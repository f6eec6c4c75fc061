import { resourceRule } from "../define";

/** Every security group says what it guards; "Managed by Terraform" (the provider's default) says nothing. */
export const sgDescription = resourceRule({
  id: "sg-description",
  types: ["aws_security_group"],
  fix: "Set `description` on the security group (it cannot change without replacing the group, so set it at creation).",
  check(group, stack) {
    const description = stack.string(group.body, "description", {
      default: "Managed by Terraform",
    });
    if (!description.ok) return [description.problem];
    const text = description.value.trim();
    return text === "" || text === "Managed by Terraform" ? [`\`description\` is "${text}"`] : [];
  },
});
