/**
 * Policy-as-code over synthesized Terraform JSON. The enforcement API:
 *
 * - `evaluateStack(json, { config, today })`: one stack against its environment's packs and
 *   waivers → `StackReport`;
 * - `evaluateEnvironment(stacks, { config, today })`: an environment's stacks, linked, plus the
 *   waiver checks → `EnvironmentReport`;
 * - `checkSynthesizedApp({ outdir, configFor, today })`: every stack cdktf wrote;
 * - `decide(reports)`: whether synth must fail, and the formatted findings.
 */
export * from "./engine/context";
export * from "./engine/enforce";
export * from "./engine/evaluate";
export * from "./engine/synthesized";
export * from "./engine/waivers";
export * from "./model";
export * from "./packs/catalog";
export * from "./packs/frameworks";
export * from "./packs/presets";
export * from "./report/rules-doc";
export * from "./report/sarif";
export * from "./report/table";
export * from "./settings";
export type { TerraformJson } from "./terraform/json";
export { StackView } from "./terraform/stack-view";
