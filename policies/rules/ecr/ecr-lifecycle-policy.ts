import { resourceRule } from "../define";

/** Every repository expires old and untagged images, so storage and the scan backlog stay bounded. */
export const ecrLifecyclePolicy = resourceRule({
  id: "ecr-lifecycle-policy",
  types: ["aws_ecr_repository"],
  fix: "Add an `aws_ecr_lifecycle_policy` for the repository (e.g. expire untagged images after 7 days, keep the last N releases).",
  check(repo, stack) {
    const policies = stack
      .resources("aws_ecr_lifecycle_policy")
      .filter((p) => stack.pointsAt(stack.attr(p.body, "repository"), repo, "name"));
    return policies.length > 0 ? [] : ["no `aws_ecr_lifecycle_policy` refers to this repository"];
  },
});
