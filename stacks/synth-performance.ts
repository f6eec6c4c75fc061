/**
 * cdktf captures the full creation stack trace of every token it makes (thousands per synth,
 * with Error.stackTraceLimit lifted to infinity) and formats each one into strings at once, for
 * error messages that a successful synth never prints. Formatting was ~90 ms of a ~1.1 s synth
 * of every stack, measured here with --cpu-prof.
 *
 * cdktf captures into a plain object (`{ stack: "" }`), never an Error, so formatting can be
 * skipped for exactly those captures: real errors still get V8's normal stack trace.
 * Called by the App entry only; the construct library never changes global state.
 */
export function skipTokenCreationTraces(): void {
  const format = Error.prepareStackTrace;
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
    if (!(error instanceof Error)) return "";
    return format
      ? format(error, frames)
      : [String(error), ...frames.map((frame) => `    at ${String(frame)}`)].join("\n");
  };
}
