import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";
import type { KeyReference } from "../core";
import { isKnown, resourceName, validateProps } from "../core";

export interface ContainerRegistryProps {
  /** KMS key that encrypts the images at rest (its policy must admit ECR, as `PlatformKeys.registry` does). */
  readonly key: KeyReference;
  /**
   * Repository name, e.g. "search/service": lowercase, with "/", ".", "_" or "-" between parts.
   * @default - the construct's path (`resourceName`), e.g. "search-prod-infra-registry"
   */
  readonly name?: string;
  /**
   * Untagged images (left behind when a build is pushed again, or by multi-arch manifests
   * being replaced) expire this many days after their push.
   * @default 14
   */
  readonly untaggedImageExpiryDays?: number;
  /**
   * How many tagged images to keep, newest first; older ones expire. Keep enough to roll back:
   * an image still running in an environment is not protected from expiry.
   * @default 100
   */
  readonly maxTaggedImages?: number;
  /**
   * Set `lifecycle.prevent_destroy`: Terraform refuses a plan that would delete the
   * repository (and every image in it). Set false only for disposable environments.
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/** ECR's repository name grammar. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * The ECR repository of the service image: immutable tags (a tag names one image forever, so
 * what ran can be rebuilt and audited), scan on push, KMS encryption with a customer-managed
 * key, a lifecycle policy that bounds storage, and no `force_delete` (deleting a repository
 * that still holds images fails).
 *
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html
 */
export class ContainerRegistry extends Construct {
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. */
  public readonly repositoryUrl: string;
  public readonly repositoryArn: string;
  public readonly name: string;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    // ECR names are lowercase; "/" separates namespaces, so resourceName's "-" joining is kept
    // for the default only.
    const name = props.name ?? resourceName(this, undefined, 256);
    const untaggedImageExpiryDays = props.untaggedImageExpiryDays ?? 14;
    const maxTaggedImages = props.maxTaggedImages ?? 100;
    const preventDestroy = props.preventDestroy ?? true;

    validateProps("ContainerRegistry", [
      {
        violated:
          isKnown(name) && (name.length < 2 || name.length > 256 || !REPOSITORY_NAME.test(name)),
        message: `\`name\` must be 2-256 lowercase letters and digits, separated by ".", "_", "-" or "/", got "${name}"`,
      },
      {
        violated:
          isKnown(untaggedImageExpiryDays) &&
          (!Number.isInteger(untaggedImageExpiryDays) || untaggedImageExpiryDays < 1),
        message: `\`untaggedImageExpiryDays\` must be a whole number ≥ 1, got ${untaggedImageExpiryDays}`,
      },
      {
        violated:
          isKnown(maxTaggedImages) && (!Number.isInteger(maxTaggedImages) || maxTaggedImages < 1),
        message: `\`maxTaggedImages\` must be a whole number ≥ 1, got ${maxTaggedImages}`,
      },
    ]);

    const repository = new EcrRepository(this, "repository", {
      name,
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: props.key.arn }],
      forceDelete: false,
      lifecycle: { preventDestroy },
    });

    new EcrLifecyclePolicy(this, "lifecycle-policy", {
      repository: repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Expire untagged images ${untaggedImageExpiryDays} days after push`,
            selection: {
              tagStatus: "untagged",
              countType: "sinceImagePushed",
              countUnit: "days",
              countNumber: untaggedImageExpiryDays,
            },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: `Keep the ${maxTaggedImages} newest tagged images`,
            // "*" matches every tag; ECR needs a tag filter on a tagged rule.
            selection: {
              tagStatus: "tagged",
              tagPatternList: ["*"],
              countType: "imageCountMoreThan",
              countNumber: maxTaggedImages,
            },
            action: { type: "expire" },
          },
        ],
      }),
    });

    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryArn = repository.arn;
    this.name = repository.name;
  }
}
