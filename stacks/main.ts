// The App entry cdktf runs (cdktf.json "app"). It composes, synthesizes and enforces the policy
// packs; it exports nothing, so no test can synthesize by importing it.
import { checkApp } from "../policies/app-check";
import { isoDay } from "../policies/engine/waivers";
import { buildApp } from "./app";
import { skipTokenCreationTraces } from "./synth-performance";

skipTokenCreationTraces();
try {
  const app = buildApp({ env: process.env });
  app.synth();
  // The stacks are written before they are judged (the policy engine reads what Terraform
  // would read); a failing verdict exits non-zero, so `cdktf deploy` stops before any plan.
  const { verdict } = checkApp(app, isoDay(new Date()));
  if (verdict.fail) throw new Error(verdict.text);
} catch (error) {
  // A config or policy error is the user's to fix: print its message (every invalid field with
  // its path, every blocking finding with its fix), not a stack trace.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
