export * from "./log-retention";
export * from "./platform-alarms";
export * from "./platform-dashboard";
