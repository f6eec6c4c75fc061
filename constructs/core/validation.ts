import { Token } from "cdktf";

/** One rule a construct's props must satisfy. */
export interface PropRule {
  /** True when the props break the rule. */
  readonly violated: boolean;
  /** What is wrong: names the prop, shows the value received, says what is allowed. */
  readonly message: string;
}

/** Thrown by `validateProps` with every broken rule at once. */
export class InvalidPropsError extends Error {
  constructor(
    readonly construct: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid props for ${construct}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InvalidPropsError";
  }
}

/**
 * Checks every rule and throws once, listing all that are broken (aws-cdk's validateAllProps).
 * Write rules with `isKnown` so that unresolved tokens are skipped rather than misjudged.
 */
export function validateProps(construct: string, rules: readonly PropRule[]): void {
  const problems = rules.filter((r) => r.violated).map((r) => r.message);
  if (problems.length > 0) throw new InvalidPropsError(construct, problems);
}

/** True when the value is known at synth time (not a Terraform token). */
export function isKnown(value: unknown): boolean {
  return !Token.isUnresolved(value);
}
