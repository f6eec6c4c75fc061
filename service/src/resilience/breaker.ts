/**
 * A circuit breaker per dependency: cockatiel's `CircuitBreakerPolicy` runs the state machine
 * (closed → open → half-open → closed, the open duration, the probe); this file decides when it
 * opens and bounds what half-open lets through, which cockatiel leaves to its `IBreaker`.
 *
 * When it opens (evaluated on every failed or slow call, over `windowMs`):
 * - `consecutiveFailures` failures in a row, whatever the window says; or
 * - at least `minimumCalls` calls in the window, and either
 *   failures / calls ≥ `failureRateThreshold` or slow calls / calls ≥ `slowCallRateThreshold`.
 *
 * A failure is what the dependency's classifier says (connection refused or reset, a client-side
 * deadline, PostgreSQL shutting down...), never a client's mistake such as a constraint
 * violation. A slow call is one that took longer than `slowCallDurationMs`, whether it succeeded
 * or not: cockatiel has no notion of one, so `measure` returns a slow result wrapped in
 * `SlowResult`, which the breaker's result filter treats as a failure for the *decision* while
 * the caller still gets the value.
 *
 * Open: every call is refused at once (`admit` throws `BreakerOpenError` before any queue or
 * timeout), for `openStateMs`.
 *
 * Half-open, in two steps. cockatiel admits one probe and would park every other caller behind
 * it; `admit` refuses them instead, so nobody waits for a probe. When the probe succeeds
 * cockatiel closes, and this breaker keeps *probation* until `halfOpenSuccessesToClose` calls
 * succeeded (the first probe included), letting at most `halfOpenMaxProbes` run at once and
 * refusing the rest. A failed or slow call during probation opens the breaker again for
 * `openStateMs`. The breaker reports "half-open" from the first probe to the end of probation.
 */
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  handleWhen,
  type CircuitBreakerPolicy,
  type IBreaker,
} from "cockatiel";
import type { BreakerState } from "../adapters/dependency";
import type { BreakerSettings } from "../config/settings";
import { SlidingWindow } from "./sliding-window";

export type { BreakerState };

/** The breaker refused a call without running it. */
export class BreakerOpenError extends BrokenCircuitError {
  constructor(
    /** Until the breaker lets a probe through; 0 when probes are running. */
    readonly retryAfterMs: number,
  ) {
    super(
      retryAfterMs > 0
        ? "Execution prevented because the circuit breaker is open"
        : "Execution prevented because the circuit breaker's probes are running",
    );
    this.name = "BreakerOpenError";
  }
}

/** A successful result that took longer than `slowCallDurationMs`. */
class SlowResult<T> {
  constructor(readonly value: T) {}
}

export function unwrapSlow<T>(result: T | SlowResult<T>): T {
  return result instanceof SlowResult ? (result.value as T) : result;
}

const NOTHING_TO_RELEASE = () => undefined;

export class DependencyBreaker implements IBreaker {
  /** cockatiel's breaker, to compose with the other policies. */
  readonly policy: CircuitBreakerPolicy;
  private readonly window: SlidingWindow;
  private readonly slowErrors = new WeakSet<object>();
  private readonly listeners: ((state: BreakerState) => void)[] = [];
  private consecutiveFailures = 0;
  /** Successful calls since the probe closed the breaker; undefined outside probation. */
  private probeSuccesses: number | undefined;
  private probesInFlight = 0;
  private openedAt = 0;
  private reported: BreakerState = "closed";

  constructor(
    private readonly settings: BreakerSettings,
    /** Whether an error is the dependency failing (counts against it). */
    private readonly isFailure: (err: unknown) => boolean,
    /** Every call that reached the dependency, as the breaker counted it. */
    private readonly onCall: (outcome: { failed: boolean; slow: boolean }) => void = () => {},
  ) {
    this.window = new SlidingWindow(settings.windowMs);
    this.policy = circuitBreaker(
      handleWhen((err) => isFailure(err) || this.slowErrors.has(err)).orWhenResult(
        (result) => result instanceof SlowResult,
      ),
      { halfOpenAfter: settings.openStateMs, breaker: this },
    );
    // cockatiel emits this once its own state has changed (its break/half-open events fire
    // before the half-open state is set).
    this.policy.onStateChange((state) => {
      if (state === CircuitState.Open) {
        this.openedAt = Date.now();
        this.probeSuccesses = undefined;
      } else if (state === CircuitState.Closed) {
        // Left half-open: the probe answered. Probation starts with it.
        this.probeSuccesses = 0;
        this.countProbeSuccess();
      }
      this.notify();
    });
  }

  /** What the breaker reports (health, the `circuit_breaker_state` gauge). */
  get status(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return this.probeSuccesses === undefined ? "closed" : "half-open";
      case CircuitState.HalfOpen:
        return "half-open";
      default:
        return "open";
    }
  }

  onStatusChange(listener: (state: BreakerState) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Admits a call or refuses it at once. Returns the function to call when the call is over.
   * @throws BreakerOpenError when open, while the half-open probe runs, or when probation
   *   already has `halfOpenMaxProbes` calls running.
   */
  admit(): () => void {
    switch (this.policy.state) {
      case CircuitState.Closed:
        if (this.probeSuccesses === undefined) return NOTHING_TO_RELEASE;
        if (this.probesInFlight >= this.settings.halfOpenMaxProbes) throw new BreakerOpenError(0);
        return this.takeProbeSlot();
      case CircuitState.HalfOpen:
        throw new BreakerOpenError(0);
      default: {
        const remainingMs = this.openedAt + this.settings.openStateMs - Date.now();
        if (remainingMs > 0) throw new BreakerOpenError(remainingMs);
        // Due for a probe: this call is it (cockatiel makes the first call after the open
        // duration its half-open test); any other caller is refused until it is over.
        if (this.probesInFlight > 0) throw new BreakerOpenError(0);
        return this.takeProbeSlot();
      }
    }
  }

  /**
   * Runs one attempt of a call and counts it. A slow success comes back as a `SlowResult`
   * (see `unwrapSlow`) so that cockatiel asks `failure()` whether to open.
   */
  async measure<T>(
    call: (signal: AbortSignal) => PromiseLike<T>,
    signal: AbortSignal,
  ): Promise<T | SlowResult<T>> {
    const started = performance.now();
    let value: T;
    try {
      value = await call(signal);
    } catch (err) {
      const slow = performance.now() - started > this.settings.slowCallDurationMs;
      const failed = this.isFailure(err);
      this.record(failed, slow);
      if (slow && !failed && typeof err === "object" && err !== null) this.slowErrors.add(err);
      throw err;
    }
    const slow = performance.now() - started > this.settings.slowCallDurationMs;
    this.record(false, slow);
    return slow ? new SlowResult(value) : value;
  }

  // IBreaker: cockatiel's serialization hook (toJSON); this breaker's counts are not persisted.
  get state(): unknown {
    return undefined;
  }
  set state(_value: unknown) {}

  /** IBreaker: a call cockatiel counts as a success. */
  success(state: CircuitState): void {
    if (state !== CircuitState.Closed || this.probeSuccesses === undefined) return;
    if (this.policy.state !== CircuitState.Closed) return; // a late answer after it reopened
    this.countProbeSuccess();
  }

  /** IBreaker: a failed or slow call; true opens the breaker. */
  failure(state: CircuitState): boolean {
    if (state === CircuitState.HalfOpen) return true;
    if (this.probeSuccesses !== undefined) return true; // a probe failed: open again
    return this.thresholdReached();
  }

  private thresholdReached(): boolean {
    const s = this.settings;
    if (this.consecutiveFailures >= s.consecutiveFailures) return true;
    const { calls, failures, slow } = this.window.totals(Date.now());
    if (calls < s.minimumCalls) return false;
    return failures / calls >= s.failureRateThreshold || slow / calls >= s.slowCallRateThreshold;
  }

  private record(failed: boolean, slow: boolean): void {
    this.window.record(Date.now(), { failed, slow });
    this.consecutiveFailures = failed ? this.consecutiveFailures + 1 : 0;
    this.onCall({ failed, slow });
  }

  private countProbeSuccess(): void {
    this.probeSuccesses = (this.probeSuccesses ?? 0) + 1;
    if (this.probeSuccesses >= this.settings.halfOpenSuccessesToClose) {
      // Closed for good: judge the dependency from here on, not on what happened before.
      this.probeSuccesses = undefined;
      this.window.reset();
      this.consecutiveFailures = 0;
    }
    this.notify();
  }

  private takeProbeSlot(): () => void {
    this.probesInFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.probesInFlight--;
    };
  }

  private notify(): void {
    const status = this.status;
    if (status === this.reported) return;
    this.reported = status;
    for (const listener of this.listeners) listener(status);
  }
}
