// Preloaded with `node --require` by the synth benchmark: on exit, writes the process's peak
// resident set size (KiB) to the file named by MAX_RSS_FILE.
const { writeFileSync } = require("node:fs");

process.on("exit", () => {
  if (process.env.MAX_RSS_FILE)
    writeFileSync(process.env.MAX_RSS_FILE, String(process.resourceUsage().maxRSS));
});
