export * from "./alarm-thresholds";
export * from "./connection-budget";
export * from "./derivation-error";
export * from "./service-settings";
