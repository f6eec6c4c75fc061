import { skipTokenCreationTraces } from "../../stacks/synth-performance";

describe("skipTokenCreationTraces", () => {
  const original = Error.prepareStackTrace;
  afterEach(() => {
    Error.prepareStackTrace = original;
  });

  it("leaves real errors their stack trace", () => {
    skipTokenCreationTraces();
    const error = new Error("boom");
    expect(error.stack?.split("\n")[0]).toBe("Error: boom");
    expect(error.stack).toMatch(/\n\s+at /);
  });

  it("formats nothing for a plain object's captured trace, as cdktf's token traces are", () => {
    skipTokenCreationTraces();
    const capture = { stack: "unset" };
    Error.captureStackTrace(capture);
    expect(capture.stack).toBe("");
  });
});
