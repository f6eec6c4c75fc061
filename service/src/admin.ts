/** Entry point: `node dist/src/admin.js <command> [options]` (see admin/cli.ts). */
import { runAdmin } from "./admin/cli";

runAdmin(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`admin failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
