import { readCustomerManagedKey } from "../../terraform/kms";
import { isJsonObject } from "../../terraform/json";
import { resourceRule, type Problem } from "../define";

/** Every EBS volume a launch template defines is encrypted with a customer-managed key. */
export const launchTemplateEbsEncrypted = resourceRule({
  id: "launch-template-ebs-encrypted",
  types: ["aws_launch_template"],
  fix: 'Declare the root volume in `blockDeviceMappings` with `ebs: { encrypted: "true", kmsKeyId: <node volumes key> }`.',
  check(template, stack) {
    const mappings = stack.blocksOf(template.body, "block_device_mappings");
    if (!mappings.ok) return [mappings.problem];
    const volumes = mappings.value.filter((m) => m.ebs !== undefined);
    if (volumes.length === 0) {
      return [
        "no `block_device_mappings` with `ebs`: the root volume's encryption is left to the account default",
      ];
    }
    const problems: Problem[] = [];
    for (const m of volumes) {
      const device = typeof m.device_name === "string" ? m.device_name : "?";
      if (!isJsonObject(m.ebs) && !Array.isArray(m.ebs)) {
        problems.push(`\`ebs\` of ${device} cannot be read`);
        continue;
      }
      const encrypted = stack.bool(m, "ebs.encrypted");
      if (!encrypted.ok) problems.push(`${device}: ${encrypted.problem}`);
      else if (!encrypted.value) problems.push(`${device}: \`ebs.encrypted\` is false`);
      else {
        const key = readCustomerManagedKey(stack, m, "ebs.kms_key_id");
        if (!key.ok) problems.push(`${device}: ${key.problem}`);
      }
    }
    return problems;
  },
});
