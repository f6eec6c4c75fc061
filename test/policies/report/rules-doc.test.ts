import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderRulesDoc } from "../../../policies/report/rules-doc";
import { ruleFiles } from "../../../policies/report/rule-files";

const policies = join(__dirname, "..", "..", "..", "policies");

describe("policies/RULES.md", () => {
  it("is what `npm run policy:docs` generates from the policy table (run it after changing the table)", () => {
    const generated = renderRulesDoc(ruleFiles(join(policies, "rules"), policies));
    expect(readFileSync(join(policies, "RULES.md"), "utf8")).toBe(generated);
  });

  it("links every rule to its source file", () => {
    const doc = readFileSync(join(policies, "RULES.md"), "utf8");
    expect(doc).toContain(
      "| [`kms-key-rotation`](rules/kms/kms-key-rotation.ts) | high | baseline, hipaa, soc2, pci-dss, gdpr |",
    );
  });
});
