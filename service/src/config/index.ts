export * from "./compliance";
export * from "./issues";
export * from "./settings";
export * from "./tiers";
