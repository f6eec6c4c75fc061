export * from "./aurora-postgres";
export * from "./redis-cache";
