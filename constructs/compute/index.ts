export * from "./container-registry";
export * from "./eks-cluster";
export * from "./pod-identity-role";
