/**
 * What happens, second by second, when a pod of a service behind an ALB (IP targets) stops:
 *
 *   0 s                 the pod is marked terminating; the endpoint goes; the AWS Load Balancer
 *                       Controller starts deregistering the target. New requests may still
 *                       arrive while that propagates, so the container keeps serving:
 *   preStop             a `sleep` of `preStopDelaySeconds` in the preStop hook, then SIGTERM;
 *   + drain             the service fails readiness at once and lets in-flight requests finish
 *                       for up to `shutdownGraceMs`;
 *   + exit margin       the process flushes logs and exits;
 *   grace period        the kubelet sends SIGKILL.
 *
 * The termination grace period must cover all of it (the preStop hook counts against it), and
 * the ALB's deregistration delay must let a draining request finish rather than cut it.
 */

/** Seconds left after the drain for the process to flush and exit before SIGKILL. */
export const EXIT_MARGIN_SECONDS = 5;

export interface TerminationTimeline {
  /** The preStop hook's sleep. */
  readonly preStopDelaySeconds: number;
  /** The service's drain, rounded up to whole seconds. */
  readonly drainSeconds: number;
  /** The pod's terminationGracePeriodSeconds: preStop + drain + exit margin. */
  readonly terminationGracePeriodSeconds: number;
  /**
   * The target group's `deregistration_delay.timeout_seconds`: preStop + drain, the longest a
   * request admitted before deregistration can still be running (not the ALB's 300 s default,
   * which would hold every rollout for five minutes).
   */
  readonly deregistrationDelaySeconds: number;
}

/**
 * The termination timeline of a pod whose service drains for `shutdownGraceMs` after a preStop
 * pause of `preStopDelaySeconds`.
 */
export function terminationTimeline(
  shutdownGraceMs: number,
  preStopDelaySeconds: number,
): TerminationTimeline {
  const drainSeconds = Math.ceil(shutdownGraceMs / 1000);
  return {
    preStopDelaySeconds,
    drainSeconds,
    terminationGracePeriodSeconds: preStopDelaySeconds + drainSeconds + EXIT_MARGIN_SECONDS,
    deregistrationDelaySeconds: preStopDelaySeconds + drainSeconds,
  };
}
