/**
 * The one seam every call to PostgreSQL or Redis goes through.
 *
 * The service runs each dependency's calls under its resilience policy (src/resilience: breaker,
 * retry, timeout, bulkhead), built from `settings.resilience` in `runtime.ts`. A dependency
 * created without a policy (the admin CLI, test fixtures) runs its calls directly.
 */

/** The dependencies, named as in `settings.resilience`. */
export const DEPENDENCY_NAMES = ["postgresWriter", "postgresReader", "redis"] as const;
export type DependencyName = (typeof DEPENDENCY_NAMES)[number];

/** How the breaker reports itself (the `circuit_breaker_state` gauge: 0, 1, 2). */
export type BreakerState = "closed" | "half-open" | "open";

export interface CallOptions {
  /**
   * The call may run again after a transient failure without changing the outcome: reads,
   * cache writes, an upsert by external id. Not a write whose repetition would answer
   * differently or do something twice (insert a new key, delete, revoke, charge a rate limit).
   * Decided at each call site. @default false (never retried)
   */
  readonly idempotent?: boolean;
}

/** What runs a dependency's calls: `ResiliencePolicy` in the service. */
export interface CallPolicy {
  readonly state: BreakerState;
  execute<T>(call: (signal: AbortSignal) => PromiseLike<T>, options?: CallOptions): Promise<T>;
}

export interface Dependency {
  readonly name: DependencyName;
  /** The breaker's state; "closed" when the dependency has no policy. */
  readonly state: BreakerState;
  /**
   * Runs one call. `signal` aborts when the policy gives up on the call (its deadline); the
   * call should stop waiting then, and must not commit after it. PostgreSQL work is bounded
   * server-side by statement_timeout, since node-postgres cannot cancel a query.
   */
  execute<T>(
    call: (signal: AbortSignal | undefined) => PromiseLike<T>,
    options?: CallOptions,
  ): Promise<T>;
}

export type Dependencies = Readonly<Record<DependencyName, Dependency>>;

class PolicyDependency implements Dependency {
  constructor(
    readonly name: DependencyName,
    private readonly policy: CallPolicy | undefined,
  ) {}

  get state(): BreakerState {
    return this.policy?.state ?? "closed";
  }

  execute<T>(
    call: (signal: AbortSignal | undefined) => PromiseLike<T>,
    options?: CallOptions,
  ): Promise<T> {
    if (!this.policy) return Promise.resolve(call(undefined));
    return this.policy.execute(call, options);
  }
}

/** One `Dependency` per name; a name without a policy runs its calls directly. */
export function createDependencies(
  policies: Partial<Record<DependencyName, CallPolicy>> = {},
): Dependencies {
  return Object.freeze(
    Object.fromEntries(
      DEPENDENCY_NAMES.map((name) => [name, new PolicyDependency(name, policies[name])]),
    ) as unknown as Record<DependencyName, Dependency>,
  );
}
