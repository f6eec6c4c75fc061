// `npm run policy:docs`: writes policies/RULES.md from the policy table.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderRulesDoc } from "./report/rules-doc";
import { ruleFiles } from "./report/rule-files";

// Compiled to dist/policies/docs-cli.js; the sources are two levels up.
const policies = join(__dirname, "..", "..", "policies");
const target = join(policies, "RULES.md");
writeFileSync(target, renderRulesDoc(ruleFiles(join(policies, "rules"), policies)));
console.log(`wrote ${target}`);
