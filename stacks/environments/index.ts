/**
 * The environments, as data. `loadEnvironments` applies deployment overrides and validates each
 * one; nothing here reads the process environment (the App entry passes what it needs).
 */
import {
  applyOverride,
  loadPlatformConfig,
  type Overrides,
  type PlatformConfig,
  type PlatformConfigInput,
} from "../config";
import { dev } from "./dev";
import { prod } from "./prod";
import { staging } from "./staging";

export const ENVIRONMENTS: Readonly<Record<string, PlatformConfigInput>> = { dev, staging, prod };

/** Validated configs of every environment, in declaration order, overrides applied. */
export function loadEnvironments(overrides: Overrides = {}): PlatformConfig[] {
  const unknown = Object.keys(overrides).filter((name) => !(name in ENVIRONMENTS));
  if (unknown.length > 0) {
    throw new Error(
      `Overrides name unknown environment(s): ${unknown.join(", ")} (known: ${Object.keys(ENVIRONMENTS).join(", ")})`,
    );
  }
  return Object.entries(ENVIRONMENTS).map(([name, input]) =>
    loadPlatformConfig(name, applyOverride(input, overrides[name])),
  );
}
