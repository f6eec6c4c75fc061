/**
 * The one seam every call to PostgreSQL or Redis goes through.
 *
 * Part 1 runs calls straight through. Part 2 passes a cockatiel policy (timeout, retry, breaker,
 * bulkhead, composed with `wrap`) per dependency to `createDependencies`; no domain or adapter
 * code changes, because nothing reaches a pool or a Redis client except through `execute`.
 */
import type { IPolicy } from "cockatiel";

/** The dependencies, named as in `settings.resilience`. */
export const DEPENDENCY_NAMES = ["postgresWriter", "postgresReader", "redis"] as const;
export type DependencyName = (typeof DEPENDENCY_NAMES)[number];

export interface Dependency {
  readonly name: DependencyName;
  /**
   * Runs one call. `signal` aborts when the policy gives up on the call (a timeout, say); the
   * call should stop waiting then. PostgreSQL work is bounded server-side by statement_timeout,
   * since node-postgres cannot cancel a query.
   */
  execute<T>(call: (signal: AbortSignal | undefined) => PromiseLike<T>): Promise<T>;
}

export type Dependencies = Readonly<Record<DependencyName, Dependency>>;

class PolicyDependency implements Dependency {
  constructor(
    readonly name: DependencyName,
    private readonly policy: IPolicy | undefined,
  ) {}

  execute<T>(call: (signal: AbortSignal | undefined) => PromiseLike<T>): Promise<T> {
    if (!this.policy) return Promise.resolve(call(undefined));
    return this.policy.execute(({ signal }) => call(signal)) as Promise<T>;
  }
}

/** One `Dependency` per name; a name without a policy runs its calls directly. */
export function createDependencies(
  policies: Partial<Record<DependencyName, IPolicy>> = {},
): Dependencies {
  return Object.freeze(
    Object.fromEntries(
      DEPENDENCY_NAMES.map((name) => [name, new PolicyDependency(name, policies[name])]),
    ) as unknown as Record<DependencyName, Dependency>,
  );
}
