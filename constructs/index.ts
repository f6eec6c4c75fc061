// The public surface of the construct library: re-exports only.
export * from "./core";
export * from "./compute";
export * from "./network";
export * from "./security";
export * from "./data";
export * from "./observability";
export * from "./workloads";
