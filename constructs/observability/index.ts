export * from "./log-retention";
export * from "./platform-alarms";
