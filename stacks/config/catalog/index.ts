export * from "./aurora-instance-classes";
export * from "./cloudwatch";
export * from "./ec2-instance-types";
export * from "./eks-versions";
export * from "./elasticache-node-types";
