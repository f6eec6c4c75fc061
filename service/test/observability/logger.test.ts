/**
 * The service's log output: lines written in chunks of about 4 KiB, in order, none lost when a
 * full pipe refuses a write, everything written by `flush`.
 */
import fs from "node:fs";
import { mkdtempSync, openSync, readFileSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ChunkedOutput } from "../../src/observability/logger";

const line = (i: number) => `${JSON.stringify({ level: "info", i, msg: "request" })}\n`;
const eagain = () =>
  Object.assign(new Error("EAGAIN: resource temporarily unavailable"), { code: "EAGAIN" });

let file: string;
let fd: number;
beforeEach(() => {
  file = path.join(mkdtempSync(path.join(tmpdir(), "log-")), "out.log");
  fd = openSync(file, "w");
});
afterEach(() => {
  closeSync(fd);
  jest.restoreAllMocks();
});

describe("log output", () => {
  it("writes lines in order, one write per ~4 KiB, and what is left on flush", () => {
    const writes = jest.spyOn(fs, "writeSync");
    const out = new ChunkedOutput(fd);
    const lines = Array.from({ length: 1_000 }, (_, i) => line(i));

    for (const l of lines) out.write(l);
    const before = readFileSync(file, "utf8");
    out.flush();

    const bytes = lines.join("").length;
    expect(readFileSync(file, "utf8")).toBe(lines.join(""));
    expect(before.length).toBeGreaterThan(bytes - 4_096); // only the last chunk waited
    expect(writes).toHaveBeenCalledTimes(Math.ceil(bytes / 4_096));
  });

  it("keeps what a full pipe refused and writes it, in order, when it drains", async () => {
    const real = fs.writeSync.bind(fs);
    let refusals = 2;
    jest.spyOn(fs, "writeSync").mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
      if (refusals-- > 0) throw eagain();
      return real(...args);
    }) as typeof fs.writeSync);
    const out = new ChunkedOutput(fd);
    const lines = Array.from({ length: 300 }, (_, i) => line(i));

    for (const l of lines) out.write(l); // the first chunk is refused: nothing blocks
    expect(readFileSync(file, "utf8")).toBe("");
    await new Promise((resolve) => setTimeout(resolve, 50)); // refused once more, then written
    out.flush();

    expect(readFileSync(file, "utf8")).toBe(lines.join(""));
  });

  it("stops writing once the pipe is broken", () => {
    const writes = jest.spyOn(fs, "writeSync").mockImplementation(() => {
      throw Object.assign(new Error("EPIPE: broken pipe"), { code: "EPIPE" });
    });
    const out = new ChunkedOutput(fd);

    for (let i = 0; i < 300; i++) out.write(line(i));
    out.flush();

    expect(writes).toHaveBeenCalledTimes(1);
  });
});
