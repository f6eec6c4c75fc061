export * from "./catalog";
export * from "./load";
export * from "./overrides";
export * from "./platform-config";
