import { readCustomerManagedKey } from "../../terraform/kms";
import { resourceRule, type Problem } from "../define";

/** Kubernetes secrets are envelope-encrypted in etcd with a customer-managed KMS key. */
export const eksSecretsEncryption = resourceRule({
  id: "eks-secrets-encryption",
  types: ["aws_eks_cluster"],
  fix: 'Set `encryptionConfig: { resources: ["secrets"], provider: { keyArn: <cluster secrets key> } }` on the cluster.',
  check(cluster, stack) {
    const configs = stack.blocksOf(cluster.body, "encryption_config");
    if (!configs.ok) return [configs.problem];
    const problems: Problem[] = [];
    const forSecrets = configs.value.filter((c) => {
      const resources = stack.strings(c, "resources");
      if (!resources.ok) problems.push(resources.problem);
      return resources.ok && resources.value.includes("secrets");
    });
    if (problems.length > 0) return problems;
    if (forSecrets.length === 0) {
      return [
        "`encryption_config` does not cover `secrets`: they sit in etcd with only EBS-level encryption",
      ];
    }
    const key = readCustomerManagedKey(stack, forSecrets[0], "provider.key_arn");
    return key.ok ? [] : [`encryption_config: ${key.problem}`];
  },
});
