import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { TerraformOutput } from "cdktf";
import type { ContainerRegistryProps } from "../../../constructs";
import { ContainerRegistry } from "../../../constructs";
import { problemsOf, ref, synth } from "../../support/synth";
// Types of the cdktf matchers that test/setup.ts registers (a global augmentation).

const key = { arn: "arn:aws:kms:eu-west-1:123456789012:key/registry", keyId: "registry" };

function synthRegistry(props: Partial<ContainerRegistryProps> = {}) {
  return synth((scope) => {
    const registry = new ContainerRegistry(scope, "registry", {
      key,
      name: "search/service",
      ...props,
    });
    new TerraformOutput(scope, "outputs", {
      value: {
        repositoryUrl: registry.repositoryUrl,
        repositoryArn: registry.repositoryArn,
        name: registry.name,
      },
    });
    return registry;
  });
}
/** The lifecycle policy's rules, parsed from the JSON ECR receives. */
function lifecycleRules(s: ReturnType<typeof synthRegistry>) {
  return JSON.parse(s.resource("aws_ecr_lifecycle_policy").policy).rules;
}
function problems(props: Partial<ContainerRegistryProps>): readonly string[] {
  return problemsOf(() => synthRegistry(props));
}

describe("ContainerRegistry", () => {
  it("works with only its required props", () => {
    // GIVEN only the key
    // WHEN it is synthesized
    const s = synth((scope) => new ContainerRegistry(scope, "registry", { key }));
    // THEN a repository named after the construct path, protected from destruction
    expect(s.json).toHaveResourceWithProperties(EcrRepository, {
      name: "test-registry",
      image_tag_mutability: "IMMUTABLE",
      lifecycle: { prevent_destroy: true },
    });
  });

  it("keeps tags immutable, scans on push, encrypts with the key and refuses force-delete", () => {
    expect(synthRegistry().resource("aws_ecr_repository")).toEqual({
      name: "search/service",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "KMS", kms_key: key.arn }],
      force_delete: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  it("lets a disposable environment destroy the repository", () => {
    const s = synthRegistry({ preventDestroy: false });
    expect(s.resource("aws_ecr_repository").lifecycle).toEqual({ prevent_destroy: false });
    expect(s.resource("aws_ecr_repository").force_delete).toBe(false);
  });

  it.each([
    ["the defaults", {}, 14, 100],
    ["given limits", { untaggedImageExpiryDays: 3, maxTaggedImages: 30 }, 3, 30],
  ])(
    "expires untagged images and keeps the newest tagged ones (%s)",
    (_case, props, days, count) => {
      // GIVEN the registry
      const s = synthRegistry(props);
      // THEN its lifecycle policy applies to this repository ...
      const [repository] = Object.keys(s.resources("aws_ecr_repository"));
      expect(s.resource("aws_ecr_lifecycle_policy").repository).toBe(
        ref(`aws_ecr_repository.${repository}.name`),
      );
      // ... expiring untagged images after the days, then tagged images beyond the count
      expect(lifecycleRules(s)).toEqual([
        {
          rulePriority: 1,
          description: `Expire untagged images ${days} days after push`,
          selection: {
            tagStatus: "untagged",
            countType: "sinceImagePushed",
            countUnit: "days",
            countNumber: days,
          },
          action: { type: "expire" },
        },
        {
          rulePriority: 2,
          description: `Keep the ${count} newest tagged images`,
          selection: {
            tagStatus: "tagged",
            tagPatternList: ["*"],
            countType: "imageCountMoreThan",
            countNumber: count,
          },
          action: { type: "expire" },
        },
      ]);
    },
  );

  it("exposes the repository's URL, ARN and name", () => {
    const s = synthRegistry();
    const [repository] = Object.keys(s.resources("aws_ecr_repository"));
    expect(s.tf.output.outputs.value).toEqual({
      repositoryUrl: ref(`aws_ecr_repository.${repository}.repository_url`),
      repositoryArn: ref(`aws_ecr_repository.${repository}.arn`),
      name: ref(`aws_ecr_repository.${repository}.name`),
    });
  });

  describe("validation", () => {
    it.each<[string, Partial<ContainerRegistryProps>, string]>([
      [
        "fails when the name has uppercase letters",
        { name: "Search/Service" },
        '`name` must be 2-256 lowercase letters and digits, separated by ".", "_", "-" or "/", got "Search/Service"',
      ],
      [
        "fails when the name starts with a separator",
        { name: "/search" },
        '`name` must be 2-256 lowercase letters and digits, separated by ".", "_", "-" or "/", got "/search"',
      ],
      [
        "fails when untagged images would expire on push",
        { untaggedImageExpiryDays: 0 },
        "`untaggedImageExpiryDays` must be a whole number ≥ 1, got 0",
      ],
      [
        "fails when no tagged image would be kept",
        { maxTaggedImages: 0 },
        "`maxTaggedImages` must be a whole number ≥ 1, got 0",
      ],
      [
        "fails when the count of tagged images is not whole",
        { maxTaggedImages: 2.5 },
        "`maxTaggedImages` must be a whole number ≥ 1, got 2.5",
      ],
    ])("%s", (_name, props, message) => {
      expect(problems(props)).toEqual([message]);
    });
  });
});
