import { resourceRule } from "../define";

/** A pushed tag always names the same image: deployments by tag are reproducible and cannot be swapped. */
export const ecrImmutableTags = resourceRule({
  id: "ecr-immutable-tags",
  types: ["aws_ecr_repository"],
  fix: 'Set `imageTagMutability: "IMMUTABLE"`.',
  check(repo, stack) {
    const mutability = stack.string(repo.body, "image_tag_mutability", { default: "MUTABLE" });
    if (!mutability.ok) return [mutability.problem];
    return mutability.value.startsWith("IMMUTABLE")
      ? []
      : [`\`image_tag_mutability\` is "${mutability.value}"`];
  },
});
