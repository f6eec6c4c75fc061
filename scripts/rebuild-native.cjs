#!/usr/bin/env node
// postinstall: the cdktf CLI loads node-pty, a native addon. Its prebuilt binaries stop at
// Node 22, and npm compiles the fallback against the headers of the Node that runs npm (the
// machine's Node 20 here), so `npx cdktf` under the project's Node 24 fails with
// ERR_DLOPEN_FAILED. Rebuild it against the headers shipped in the `node` package we depend on.
const { spawnSync } = require("node:child_process");
const path = require("node:path");
const fs = require("node:fs");

const headers = path.join(
  __dirname,
  "..",
  "node_modules",
  "node",
  "node_modules",
  `node-${process.platform}-${process.arch}`,
);
if (!fs.existsSync(path.join(headers, "include", "node", "node.h"))) {
  console.warn(
    `rebuild-native: no Node headers at ${headers}; skipping (only the cdktf CLI needs it)`,
  );
  process.exit(0);
}
const nodeBin = path.join(headers, "bin", "node");
const npmCli = process.env.npm_execpath;
const env = {
  ...process.env,
  PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH}`,
};
const result = spawnSync(
  npmCli ? nodeBin : "npm",
  [
    ...(npmCli ? [npmCli] : []),
    "rebuild",
    "@cdktf/node-pty-prebuilt-multiarch",
    `--nodedir=${headers}`,
  ],
  { stdio: "inherit", env },
);
if (result.status !== 0) {
  console.warn(
    "rebuild-native: rebuilding node-pty failed; `npx cdktf` may not start under Node 24",
  );
}
