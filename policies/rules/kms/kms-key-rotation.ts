import { resourceRule } from "../define";

/**
 * Every symmetric customer-managed key rotates its key material. Asymmetric and HMAC keys cannot
 * rotate automatically; they are reported unless `key_usage` and `customer_master_key_spec`
 * show them to be such keys.
 */
export const kmsKeyRotation = resourceRule({
  id: "kms-key-rotation",
  types: ["aws_kms_key"],
  fix: "Set `enableKeyRotation: true` on the key (yearly by default; `rotationPeriodInDays` shortens it).",
  check(key, stack) {
    const spec = stack.string(key.body, "customer_master_key_spec", {
      default: "SYMMETRIC_DEFAULT",
    });
    if (!spec.ok) return [spec.problem];
    if (spec.value !== "SYMMETRIC_DEFAULT") return [];
    const rotation = stack.bool(key.body, "enable_key_rotation", { default: false });
    if (!rotation.ok) return [rotation.problem];
    return rotation.value
      ? []
      : ["`enable_key_rotation` is false or not set: the key material never changes"];
  },
});
