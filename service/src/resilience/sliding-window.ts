/**
 * Call outcomes over a sliding time window, in buckets: how many calls, how many failed, how
 * many were slow.
 *
 * Why not cockatiel's SamplingBreaker for this: it expires one bucket per recorded call, so after
 * an idle period the buckets older than the window still count until enough calls have rotated
 * them out (with a 10 s window, 19 failures a minute ago plus one failure now read as 20 of 20).
 * Here every bucket carries the epoch it counts, and `totals` skips the ones that have left the
 * window, however long the pause.
 */

export interface WindowTotals {
  readonly calls: number;
  readonly failures: number;
  readonly slow: number;
}

interface Bucket {
  epoch: number;
  calls: number;
  failures: number;
  slow: number;
}

export class SlidingWindow {
  private readonly buckets: Bucket[];
  private readonly bucketMs: number;

  /**
   * @param windowMs the window's length; outcomes older than this (to the bucket) are ignored.
   * @param bucketCount resolution of the window. @default 10
   */
  constructor(
    windowMs: number,
    private readonly bucketCount = 10,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / bucketCount));
    this.buckets = Array.from({ length: bucketCount }, () => ({
      epoch: -1,
      calls: 0,
      failures: 0,
      slow: 0,
    }));
  }

  record(now: number, outcome: { failed: boolean; slow: boolean }): void {
    const epoch = Math.floor(now / this.bucketMs);
    const bucket = this.buckets[epoch % this.bucketCount];
    if (bucket.epoch !== epoch) {
      bucket.epoch = epoch;
      bucket.calls = bucket.failures = bucket.slow = 0;
    }
    bucket.calls++;
    if (outcome.failed) bucket.failures++;
    if (outcome.slow) bucket.slow++;
  }

  totals(now: number): WindowTotals {
    const current = Math.floor(now / this.bucketMs);
    let calls = 0;
    let failures = 0;
    let slow = 0;
    for (const b of this.buckets) {
      if (b.epoch > current - this.bucketCount && b.epoch <= current) {
        calls += b.calls;
        failures += b.failures;
        slow += b.slow;
      }
    }
    return { calls, failures, slow };
  }

  reset(): void {
    for (const b of this.buckets) b.epoch = -1;
  }
}
