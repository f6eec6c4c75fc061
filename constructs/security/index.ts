export * from "./platform-keys";
