import type { StackView } from "../../terraform/stack-view";
import { resourceRule } from "../define";

/** An enhanced registry scanning configuration of the stack that scans every repository. */
function registryScansEverything(stack: StackView): boolean {
  return stack.resources("aws_ecr_registry_scanning_configuration").some((config) => {
    const type = stack.string(config.body, "scan_type");
    const rules = stack.blocksOf(config.body, "rule");
    return (
      type.ok &&
      type.value === "ENHANCED" &&
      rules.ok &&
      rules.value.some((r) => {
        const frequency = stack.string(r, "scan_frequency");
        const filters = stack.blocksOf(r, "repository_filter");
        return (
          frequency.ok &&
          ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"].includes(frequency.value) &&
          filters.ok &&
          filters.value.some((f) => f.filter === "*")
        );
      })
    );
  });
}

/** Images are scanned for known vulnerabilities when pushed. */
export const ecrScanOnPush = resourceRule({
  id: "ecr-scan-on-push",
  types: ["aws_ecr_repository"],
  fix: "Set `imageScanningConfiguration: { scanOnPush: true }`, or configure enhanced scanning for the registry.",
  check(repo, stack) {
    if (registryScansEverything(stack)) return [];
    const scan = stack.bool(repo.body, "image_scanning_configuration.scan_on_push", {
      default: false,
    });
    if (!scan.ok) return [scan.problem];
    return scan.value ? [] : ["`image_scanning_configuration.scan_on_push` is false or not set"];
  },
});
