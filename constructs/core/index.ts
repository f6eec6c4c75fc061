export * from "./naming";
export * from "./references";
export * from "./validation";
export * from "./policy-conditions";
