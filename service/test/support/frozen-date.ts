/**
 * Runs `work` with `Date` frozen at `instant` and every timer real: for code that reads the
 * clock itself (the AWS SDK's RDS signer) while it does real I/O.
 */
export async function atInstant<T>(instant: Date | number, work: () => Promise<T>): Promise<T> {
  jest.useFakeTimers({
    now: instant,
    doNotFake: [
      "hrtime",
      "nextTick",
      "performance",
      "queueMicrotask",
      "setImmediate",
      "clearImmediate",
      "setInterval",
      "clearInterval",
      "setTimeout",
      "clearTimeout",
    ],
  });
  try {
    return await work();
  } finally {
    jest.useRealTimers();
  }
}
