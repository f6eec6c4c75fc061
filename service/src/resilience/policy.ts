/**
 * The resilience policy of one dependency, built from `settings.resilience.<dependency>` with
 * cockatiel and composed, outermost first:
 *
 *   admit (breaker open? refuse now)
 *   → retry      only idempotent calls, only retryable errors; exponential backoff, full jitter
 *   → timeout    per attempt, `timeoutMs`, aggressive: the caller stops waiting at the deadline
 *   → bulkhead   `maxConcurrent` attempts at once, `maxQueue` waiting, past that refused
 *   → breaker    counts what reached the dependency (see breaker.ts)
 *   → the call
 *
 * The timeout is PostgreSQL's client-side backstop (statement_timeout, set per transaction,
 * is the deadline that stops the work). Redis has no cockatiel timeout: ioredis' commandTimeout
 * (the same `timeoutMs`) bounds every command, and cockatiel's TimeoutPolicy costs about 18 µs a
 * call here (an AbortController, an abort listener, an abort() per call): on a cached search,
 * which makes one Redis call in about 100 µs of CPU, that would be a fifth of the request for
 * a deadline the client already enforces.
 *
 * Why in this order:
 * - an open breaker refuses before the bulkhead queue or the deadline: no caller waits;
 * - the deadline covers the wait in the bulkhead's queue too, and a queued attempt whose
 *   deadline passed is dropped by the bulkhead without running;
 * - the bulkhead sits inside the deadline, so an attempt the caller gave up on keeps its slot
 *   until the dependency has really finished with it (node-postgres cannot cancel a query): the
 *   bulkhead bounds the work on the dependency, not the number of callers still waiting;
 * - the breaker sees each attempt, and only attempts that reached the dependency: a full
 *   bulkhead or a queue timeout is this process's overload, not the dependency failing;
 * - retries wrap everything, so a backoff holds no bulkhead slot, each attempt gets its own
 *   deadline, and a breaker that opens between attempts ends the retries.
 */
import {
  BrokenCircuitError,
  bulkhead,
  BulkheadRejectedError,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type IPolicy,
} from "cockatiel";
import type { CallOptions, DependencyName } from "../adapters/dependency";
import type { DependencyPolicy, ServiceSettings } from "../config/settings";
import { DependencyBreaker, unwrapSlow, type BreakerState } from "./breaker";
import { postgresClassifier, redisClassifier, type DependencyClassifier } from "./classify";
import { fromPolicyError } from "./errors";

export type RejectionReason = "breaker_open" | "bulkhead_full" | "timeout";

/** What the policies tell the outside world (metrics, logs). */
export interface PolicyObserver {
  stateChanged(dependency: DependencyName, state: BreakerState): void;
  /** An attempt reached the dependency and ended. */
  called(dependency: DependencyName, outcome: { failed: boolean; slow: boolean }): void;
  /** A call stopped by the policy itself. */
  rejected(dependency: DependencyName, reason: RejectionReason): void;
  retried(dependency: DependencyName, attempt: number, delayMs: number, cause: unknown): void;
}

type ResilienceSettings = ServiceSettings["resilience"];

// instanceof: see errors.ts on cockatiel's `is…Error` helpers.
const isPolicyError = (err: unknown) =>
  err instanceof BrokenCircuitError ||
  err instanceof BulkheadRejectedError ||
  err instanceof TaskCancelledError;

export interface ResiliencePolicyOptions {
  /**
   * Put cockatiel's timeout (`timeoutMs`) around each attempt. Off when the client enforces
   * the same deadline itself (ioredis' commandTimeout). @default true
   */
  readonly clientDeadline?: boolean;
}

export class ResiliencePolicy {
  readonly breaker: DependencyBreaker;
  private readonly once: IPolicy;
  private readonly retrying: IPolicy;

  constructor(
    readonly name: DependencyName,
    settings: DependencyPolicy,
    classifier: DependencyClassifier,
    private readonly observer?: PolicyObserver,
    options: ResiliencePolicyOptions = {},
  ) {
    this.breaker = new DependencyBreaker(settings.breaker, classifier.isFailure, (outcome) =>
      observer?.called(name, outcome),
    );
    this.breaker.onStatusChange((state) => observer?.stateChanged(name, state));

    const slots = bulkhead(settings.bulkhead.maxConcurrent, settings.bulkhead.maxQueue);
    slots.onReject(() => observer?.rejected(name, "bulkhead_full"));
    let inner: IPolicy[] = [slots, this.breaker.policy];
    if (options.clientDeadline ?? true) {
      // Not aborted on return: the signal means "the deadline passed" (no COMMIT after it).
      const deadline = timeout(settings.timeoutMs, {
        strategy: TimeoutStrategy.Aggressive,
        abortOnReturn: false,
      });
      deadline.onTimeout(() => observer?.rejected(name, "timeout"));
      inner = [deadline, ...inner];
    }
    this.once = wrap(...inner);

    const { maxAttempts, initialDelayMs, maxDelayMs } = settings.retry;
    if (maxAttempts <= 1) {
      this.retrying = this.once;
    } else {
      const retries = retry(
        handleWhen((err) => !isPolicyError(err) && classifier.isRetryable(err)),
        {
          maxAttempts: maxAttempts - 1, // cockatiel counts retries, the settings attempts
          backoff: new ExponentialBackoff({
            generator: fullJitterGenerator, // a delay in [0, initialDelayMs × 2^n), ≤ maxDelayMs
            initialDelay: initialDelayMs,
            maxDelay: maxDelayMs,
            exponent: 2,
          }),
        },
      );
      retries.onRetry((r) =>
        observer?.retried(name, r.attempt, r.delay, "error" in r ? r.error : r.value),
      );
      this.retrying = wrap(retries, ...inner);
    }
  }

  get state(): BreakerState {
    return this.breaker.status;
  }

  /**
   * Runs `call` under the policies. Errors of the policies themselves come out as the service's
   * `AppError` (see errors.ts); the call's own errors come out unchanged.
   */
  async execute<T>(
    call: (signal: AbortSignal) => PromiseLike<T>,
    options: CallOptions = {},
  ): Promise<T> {
    let release: () => void;
    try {
      release = this.breaker.admit();
    } catch (err) {
      this.observer?.rejected(this.name, "breaker_open");
      throw fromPolicyError(err, this.name);
    }
    try {
      const policy = options.idempotent ? this.retrying : this.once;
      const result = await policy.execute(({ signal }) => this.breaker.measure(call, signal));
      return unwrapSlow(result) as T;
    } catch (err) {
      // A call queued while the breaker opened is refused by cockatiel's breaker itself.
      if (err instanceof BrokenCircuitError) this.observer?.rejected(this.name, "breaker_open");
      throw fromPolicyError(err, this.name);
    } finally {
      release();
    }
  }
}

/** One policy per dependency, from `settings.resilience`. */
export function createResiliencePolicies(
  settings: Pick<ResilienceSettings, DependencyName>,
  observer?: PolicyObserver,
): Record<DependencyName, ResiliencePolicy> {
  return {
    postgresWriter: new ResiliencePolicy(
      "postgresWriter",
      settings.postgresWriter,
      postgresClassifier,
      observer,
    ),
    postgresReader: new ResiliencePolicy(
      "postgresReader",
      settings.postgresReader,
      postgresClassifier,
      observer,
    ),
    redis: new ResiliencePolicy("redis", settings.redis, redisClassifier, observer, {
      clientDeadline: false, // ioredis' commandTimeout is the deadline (see above)
    }),
  };
}
