/**
 * The one place where the policies' own errors become the service's error contract:
 *
 * | cockatiel                           | HTTP                                        |
 * | ----------------------------------- | ------------------------------------------- |
 * | BrokenCircuitError (breaker open)   | 503 `dependency_unavailable`, Retry-After: until the breaker probes again (≥ 1 s) |
 * | BulkheadRejectedError (queue full)  | 503 `overloaded`, Retry-After: 1            |
 * | TaskCancelledError (deadline)       | 503 `timeout`, Retry-After: 2 (as part 1's statement timeout) |
 *
 * Anything else passes through unchanged (adapters map their drivers' errors themselves).
 *
 * `instanceof`, not cockatiel's `is…Error` helpers: in 3.2.1 `isTaskCancelledError` and
 * `isIsolatedCircuitError` test for the bulkhead's marker, so a full bulkhead would read as a
 * timeout and a timeout as nothing (policy.test.ts pins the mapping).
 */
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  IsolatedCircuitError,
  TaskCancelledError,
} from "cockatiel";
import type { DependencyName } from "../adapters/dependency";
import { AppError } from "../http/errors";
import { BreakerOpenError } from "./breaker";

/** How a client-facing message names each dependency. */
const DESCRIPTION: Readonly<Record<DependencyName, string>> = {
  postgresWriter: "The writer database",
  postgresReader: "The reader database",
  redis: "The cache",
};

export function fromPolicyError(err: unknown, dependency: DependencyName): unknown {
  const what = DESCRIPTION[dependency];
  if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
    const retryAfterMs = err instanceof BreakerOpenError ? err.retryAfterMs : 0;
    return new AppError(
      503,
      "dependency_unavailable",
      `${what} is unavailable; try again shortly.`,
      {
        retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
        cause: err,
      },
    );
  }
  if (err instanceof BulkheadRejectedError) {
    return new AppError(
      503,
      "overloaded",
      `${what} has too many requests waiting; try again shortly.`,
      { retryAfterSeconds: 1, cause: err },
    );
  }
  if (err instanceof TaskCancelledError) {
    return AppError.timeout(`${what} took too long to answer; try again.`, err);
  }
  return err;
}

/** The call was refused by an open breaker: nothing reached the dependency, nothing to log. */
export function isShortCircuit(err: unknown): boolean {
  return err instanceof AppError && err.cause instanceof BrokenCircuitError;
}

/**
 * The dependency cannot serve the call right now — down, its breaker open, overloaded or past
 * its deadline — as opposed to a bug or a client's mistake. What a fallback may cover.
 */
export function isUnavailable(err: unknown): boolean {
  return err instanceof AppError && err.status === 503;
}
