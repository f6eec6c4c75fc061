/** The compliance frameworks the packs map rules to, and the packs themselves. */

export const FRAMEWORKS = {
  hipaa: {
    title: "HIPAA Security Rule",
    source: "45 CFR Part 164, Subpart C",
  },
  soc2: {
    title: "SOC 2",
    source: "AICPA Trust Services Criteria (2017, points of focus revised 2022)",
  },
  "pci-dss": {
    title: "PCI DSS",
    source: "PCI DSS v4.0.1",
  },
  gdpr: {
    title: "GDPR",
    source: "Regulation (EU) 2016/679",
  },
} as const;

export type Framework = keyof typeof FRAMEWORKS;
export const FRAMEWORK_NAMES = Object.keys(FRAMEWORKS) as Framework[];

/**
 * Packs: "baseline" (every rule marked baseline) and one per framework (every rule that cites
 * it). An environment runs the union of the packs its compliance preset selects and those its
 * config adds.
 */
export const PACK_NAMES = ["baseline", ...FRAMEWORK_NAMES] as const;
export type PackName = (typeof PACK_NAMES)[number];
