/** One config field from which no valid service setting can be derived. */
export interface DerivationProblem {
  /** Dotted path of the config field to change, e.g. `service.replicas.max`. */
  readonly path: string;
  readonly message: string;
}

/**
 * Thrown when an environment's config is valid on its own but the service cannot be run with
 * it (e.g. more pods than the database has connections for). Lists every problem at once.
 */
export class DerivationError extends Error {
  constructor(
    readonly environment: string,
    readonly problems: readonly DerivationProblem[],
  ) {
    super(
      `Cannot derive the service settings of environment "${environment}":\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "DerivationError";
  }
}
