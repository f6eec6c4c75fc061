import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { CompliancePresetName } from "@search-platform/service/settings";
import type { Stage } from "../../../stacks/config";
import type { PolicyConfig } from "../../../policies/engine/context";
import { policySettingsSchema } from "../../../policies/settings";
import type { TerraformJson } from "../../../policies/terraform/json";
import { kmsKey } from "./aws";
import { synthStack } from "./synth";

/** An environment's policy-relevant config, the `policy` section parsed as PlatformConfig does. */
export function environment(
  name: string,
  stage: Stage,
  preset: CompliancePresetName,
  policy: unknown = {},
): PolicyConfig {
  return { name, stage, compliance: { preset }, policy: policySettingsSchema.parse(policy) };
}

/**
 * A small infra stack with one known high finding (a key without rotation, at
 * `aws_kms_key.unrotated`, construct path `<stack>/unrotated`) and one compliant key.
 */
export function stackWithUnrotatedKey(
  name = "search-dev-infra",
  env = "dev",
  preset = "none",
): TerraformJson {
  return synthStack((s) => {
    new AwsProvider(s, "aws", {
      region: "eu-west-1",
      defaultTags: [
        {
          tags: {
            environment: env,
            service: "search",
            owner: "search-platform",
            "compliance-preset": preset,
          },
        },
      ],
    });
    kmsKey(s, "rotated");
    kmsKey(s, "unrotated", { enableKeyRotation: false });
  }, name);
}
