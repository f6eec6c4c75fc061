/**
 * Kubernetes versions EKS offers standard support for, as this platform was last checked.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html
 */
export const EKS_VERSIONS = ["1.32", "1.33", "1.34"] as const;
export type EksVersion = (typeof EKS_VERSIONS)[number];
