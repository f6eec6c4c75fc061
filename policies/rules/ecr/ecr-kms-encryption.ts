import { readCustomerManagedKey } from "../../terraform/kms";
import { resourceRule } from "../define";

/** Image layers are encrypted with a customer-managed key rather than ECR's default AES-256. */
export const ecrKmsEncryption = resourceRule({
  id: "ecr-kms-encryption",
  types: ["aws_ecr_repository"],
  fix: 'Set `encryptionConfiguration: [{ encryptionType: "KMS", kmsKey: <registry key>.arn }]` (it cannot change after creation).',
  check(repo, stack) {
    const configs = stack.blocksOf(repo.body, "encryption_configuration");
    if (!configs.ok) return [configs.problem];
    if (configs.value.length === 0)
      return ["`encryption_configuration` is not set: ECR uses AES-256 with AWS-owned keys"];
    const type = stack.string(configs.value[0], "encryption_type", { default: "AES256" });
    if (!type.ok) return [type.problem];
    if (type.value !== "KMS")
      return [`\`encryption_configuration.encryption_type\` is "${type.value}"`];
    const key = readCustomerManagedKey(stack, configs.value[0], "kms_key");
    return key.ok
      ? []
      : [`encryption_configuration: ${key.problem} (ECR then uses the AWS managed aws/ecr key)`];
  },
});
