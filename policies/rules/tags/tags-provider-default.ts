import { notApplicable, type PolicyRule, type ResourceRef, type RuleFinding } from "../../model";
import { isJsonObject } from "../../terraform/json";
import { evaluated, finding } from "../define";

/** Tags every AWS resource carries through the provider's `default_tags`. */
export const REQUIRED_TAGS = ["environment", "service", "owner", "compliance-preset"] as const;

const FIX = "Set the AWS provider's `defaultTags` from `platformTags(config)` (stacks/tags.ts).";

/**
 * Every AWS provider configuration tags everything it creates with the environment, service,
 * owner and compliance preset — the environment and preset matching the environment's config —
 * so cost, ownership and data handling can be told from any resource.
 */
export const tagsProviderDefault: PolicyRule = {
  id: "tags-provider-default",
  check(stack, context) {
    const providers = stack.providers("aws");
    if (providers.length === 0) return notApplicable("no AWS provider");
    const findings: RuleFinding[] = [];
    const passed: ResourceRef[] = [];
    providers.forEach((provider, i) => {
      const alias = typeof provider.alias === "string" ? ` (alias ${provider.alias})` : "";
      const resource = { address: `provider.aws[${i}]${alias}`, constructPath: stack.name };
      const blocks = stack.blocksOf(provider, "default_tags");
      const tags: Record<string, string> = {};
      const problems: string[] = [];
      if (!blocks.ok) problems.push(blocks.problem);
      for (const block of blocks.ok ? blocks.value : []) {
        if (!isJsonObject(block.tags)) continue;
        for (const key of Object.keys(block.tags)) {
          const value = stack.string(block.tags, `["${key}"]`);
          if (value.ok) tags[key] = value.value;
          else if (REQUIRED_TAGS.includes(key as (typeof REQUIRED_TAGS)[number])) {
            problems.push(`tag "${key}": ${value.problem}`);
          }
        }
      }
      const missing = REQUIRED_TAGS.filter((t) => !(t in tags) || tags[t].trim() === "");
      if (missing.length > 0) problems.push(`\`default_tags\` lacks ${missing.join(", ")}`);
      const expected = {
        environment: context.environment,
        "compliance-preset": context.compliancePreset,
      };
      for (const [key, value] of Object.entries(expected)) {
        if (key in tags && tags[key] !== value) {
          problems.push(`tag "${key}" is "${tags[key]}", but the environment's is "${value}"`);
        }
      }
      if (problems.length === 0) passed.push(resource);
      for (const p of problems) findings.push(finding(resource, p, FIX));
    });
    return evaluated(passed, findings);
  },
};
