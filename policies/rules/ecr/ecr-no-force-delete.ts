import { resourceRule } from "../define";

/** Destroying the repository never deletes the images in it. */
export const ecrNoForceDelete = resourceRule({
  id: "ecr-no-force-delete",
  types: ["aws_ecr_repository"],
  fix: "Remove `forceDelete: true`; empty the repository deliberately before deleting it.",
  check(repo, stack) {
    const force = stack.bool(repo.body, "force_delete", { default: false });
    if (!force.ok) return [force.problem];
    return force.value ? ["`force_delete` is true: a destroy deletes every image"] : [];
  },
});
