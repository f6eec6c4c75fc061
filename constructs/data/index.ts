export * from "./aurora-postgres";
