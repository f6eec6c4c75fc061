// The App entry cdktf runs (cdktf.json "app"). It composes and synthesizes; it exports nothing,
// so no test can synthesize by importing it.
import { buildApp } from "./app";

try {
  buildApp({ env: process.env }).synth();
} catch (error) {
  // A config error is the user's to fix: print its message (every invalid field with its path),
  // not a stack trace.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
