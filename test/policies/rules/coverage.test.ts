import { join } from "node:path";
import { POLICY_TABLE } from "../../../policies/packs/catalog";
import { ruleFiles } from "../../../policies/report/rule-files";
import type { RuleCase } from "../support/cases";
import { dataCases } from "./data.cases";
import { eksComputeCases } from "./eks-compute.cases";
import { kmsIamCases } from "./kms-iam.cases";
import { kubernetesCases } from "./kubernetes.cases";
import { networkCases } from "./network.cases";
import { platformCases } from "./platform.cases";

const ALL_CASES: RuleCase[] = [
  ...kmsIamCases,
  ...eksComputeCases,
  ...networkCases,
  ...dataCases,
  ...platformCases,
  ...kubernetesCases,
];

/**
 * Rules with no "cannot read" case, and why: there is no value whose unreadability could turn
 * a finding into a pass.
 */
const NO_UNREADABLE_CASE: Record<string, string> = {
  "ecr-lifecycle-policy":
    "it only looks for a policy pointing at the repository; an unreadable pointer is no policy, a finding",
  "secrets-no-literal-credentials":
    "it reports literals; a value that is not a literal is by definition not a literal secret",
  "secrets-no-aws-access-keys": "it searches literal text; expressions hold no key",
  "secrets-no-private-keys": "it searches literal text; expressions hold no key",
};

const casesOf = (id: string) => ALL_CASES.filter((c) => c.rule.id === id);

describe("rule fixtures", () => {
  it("cover only rules of the policy table", () => {
    const ids = new Set(POLICY_TABLE.map((e) => e.id));
    expect(ALL_CASES.map((c) => c.rule.id).filter((id) => !ids.has(id))).toEqual([]);
  });

  it.each(POLICY_TABLE.map((e) => [e.id]))(
    "include a compliant and a non-compliant fixture for %s",
    (id) => {
      const cases = casesOf(id);
      expect(cases.some((c) => "compliant" in c.expect)).toBe(true);
      expect(cases.some((c) => "fails" in c.expect || "unreadable" in c.expect)).toBe(true);
    },
  );

  it.each(POLICY_TABLE.filter((e) => !(e.id in NO_UNREADABLE_CASE)).map((e) => [e.id]))(
    "include a fixture where %s cannot read a value and fails closed",
    (id) => {
      expect(casesOf(id).some((c) => "unreadable" in c.expect)).toBe(true);
    },
  );

  it("exempt from the fail-closed fixture only rules that have none", () => {
    const exemptWithCase = Object.keys(NO_UNREADABLE_CASE).filter((id) =>
      casesOf(id).some((c) => "unreadable" in c.expect),
    );
    expect(exemptWithCase).toEqual([]);
  });
});

describe("the policy table", () => {
  it("holds at least 40 rules with unique kebab-case ids", () => {
    const ids = POLICY_TABLE.map((e) => e.id);
    expect(ids.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id))).toEqual([]);
  });

  it("keeps one rule per file, named after the rule's id", () => {
    const policies = join(__dirname, "..", "..", "..", "policies");
    const files = ruleFiles(join(policies, "rules"), policies);
    const missing = POLICY_TABLE.filter((e) => !files.has(e.id)).map((e) => e.id);
    expect(missing).toEqual([]);
  });

  it.each(POLICY_TABLE.map((e) => [e.id]))(
    "exports from %s.ts exactly the rule with that id",
    async (id) => {
      const policies = join(__dirname, "..", "..", "..", "policies");
      const file = ruleFiles(join(policies, "rules"), policies).get(id)!;
      const exported = Object.values(await import(join(policies, file))) as { id?: unknown }[];
      expect(exported.filter((v) => typeof v?.id === "string").map((v) => v.id)).toEqual([id]);
    },
  );

  it.each(POLICY_TABLE.map((e) => [e.id, e]))(
    "describes %s and cites well-formed controls",
    (_id, entry) => {
      expect(entry.info.length).toBeGreaterThan(20);
      expect(entry.explanation.length).toBeGreaterThan(20);
      const refs = entry.frameworks;
      expect(Object.values(refs).flat().length).toBeGreaterThan(0);
      for (const r of refs.hipaa ?? [])
        expect(r).toMatch(
          /^164\.3(0[268]|1[026])\([a-z]\)(\(\d+\))?(\((i|ii|iii|iv|v|[A-Z])\))*(\([A-Z]\))?$/,
        );
      for (const r of refs.soc2 ?? []) expect(r).toMatch(/^(CC[1-9]|A1|C1|PI1|P[1-8])\.\d$/);
      for (const r of refs["pci-dss"] ?? []) expect(r).toMatch(/^\d{1,2}(\.\d+){1,3}$/);
      for (const r of refs.gdpr ?? []) expect(r).toMatch(/^Art\. \d+(\(\d\))?(\([a-f]\))?$/);
    },
  );
});
