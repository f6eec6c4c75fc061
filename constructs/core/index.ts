export * from "./naming";
export * from "./references";
export * from "./validation";
