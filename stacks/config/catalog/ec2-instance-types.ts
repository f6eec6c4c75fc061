/**
 * EC2 instance types allowed for EKS managed node groups, with what a pod can be given on them.
 *
 * `maxPods` is the VPC CNI's limit without prefix delegation:
 * ENIs × (IPv4 addresses per ENI − 1) + 2.
 * @see https://github.com/aws/amazon-vpc-cni-k8s/blob/master/misc/eni-max-pods.txt
 */
export interface Ec2InstanceType {
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly maxPods: number;
  readonly arch: "x86_64" | "arm64";
}

export const EC2_INSTANCE_TYPES = {
  "t3.large": { vcpu: 2, memoryGiB: 8, maxPods: 35, arch: "x86_64" },
  "t3.xlarge": { vcpu: 4, memoryGiB: 16, maxPods: 58, arch: "x86_64" },
  "m6i.large": { vcpu: 2, memoryGiB: 8, maxPods: 29, arch: "x86_64" },
  "m6i.xlarge": { vcpu: 4, memoryGiB: 16, maxPods: 58, arch: "x86_64" },
  "m6i.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58, arch: "x86_64" },
  "m7i.large": { vcpu: 2, memoryGiB: 8, maxPods: 29, arch: "x86_64" },
  "m7i.xlarge": { vcpu: 4, memoryGiB: 16, maxPods: 58, arch: "x86_64" },
  "m7i.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58, arch: "x86_64" },
  "m7i.4xlarge": { vcpu: 16, memoryGiB: 64, maxPods: 234, arch: "x86_64" },
  "c7i.xlarge": { vcpu: 4, memoryGiB: 8, maxPods: 58, arch: "x86_64" },
  "c7i.2xlarge": { vcpu: 8, memoryGiB: 16, maxPods: 58, arch: "x86_64" },
  "r7i.xlarge": { vcpu: 4, memoryGiB: 32, maxPods: 58, arch: "x86_64" },
  "m7g.large": { vcpu: 2, memoryGiB: 8, maxPods: 29, arch: "arm64" },
  "m7g.xlarge": { vcpu: 4, memoryGiB: 16, maxPods: 58, arch: "arm64" },
  "m7g.2xlarge": { vcpu: 8, memoryGiB: 32, maxPods: 58, arch: "arm64" },
} as const satisfies Record<string, Ec2InstanceType>;

export type Ec2InstanceTypeName = keyof typeof EC2_INSTANCE_TYPES;
