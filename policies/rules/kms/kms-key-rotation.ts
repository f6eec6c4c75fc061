import { resourceRule } from "../define";

/** Key specs of HMAC keys (`GENERATE_VERIFY_MAC`), which AWS cannot rotate. */
const HMAC_SPECS = /^HMAC_(224|256|384|512)$/;

/**
 * Every symmetric customer-managed key rotates its key material. Asymmetric keys cannot rotate
 * automatically; they are reported unless `customer_master_key_spec` shows them to be such keys.
 * HMAC keys cannot either (neither automatically nor on demand): the rule does not apply to
 * them — rotating one means a new key, which the application must know about (the search
 * service's audit key: README, "Rotating the audit key"). A spec that cannot be read is judged.
 */
export const kmsKeyRotation = resourceRule({
  id: "kms-key-rotation",
  types: ["aws_kms_key"],
  fix: "Set `enableKeyRotation: true` on the key (yearly by default; `rotationPeriodInDays` shortens it).",
  select: (key, stack) => {
    const spec = stack.string(key.body, "customer_master_key_spec", {
      default: "SYMMETRIC_DEFAULT",
    });
    return !(spec.ok && HMAC_SPECS.test(spec.value));
  },
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
