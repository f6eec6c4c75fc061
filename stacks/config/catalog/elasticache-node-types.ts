/**
 * ElastiCache node types the platform knows, with the memory Redis can use on each.
 * @see https://aws.amazon.com/elasticache/pricing/ (node specifications)
 */
export interface ElastiCacheNodeType {
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly burstable: boolean;
}

export const ELASTICACHE_NODE_TYPES = {
  "cache.t4g.micro": { vcpu: 2, memoryGiB: 0.5, burstable: true },
  "cache.t4g.small": { vcpu: 2, memoryGiB: 1.37, burstable: true },
  "cache.t4g.medium": { vcpu: 2, memoryGiB: 3.09, burstable: true },
  "cache.m7g.large": { vcpu: 2, memoryGiB: 6.38, burstable: false },
  "cache.m7g.xlarge": { vcpu: 4, memoryGiB: 12.93, burstable: false },
  "cache.r7g.large": { vcpu: 2, memoryGiB: 13.07, burstable: false },
  "cache.r7g.xlarge": { vcpu: 4, memoryGiB: 26.32, burstable: false },
  "cache.r7g.2xlarge": { vcpu: 8, memoryGiB: 52.82, burstable: false },
  "cache.r7g.4xlarge": { vcpu: 16, memoryGiB: 105.81, burstable: false },
} as const satisfies Record<string, ElastiCacheNodeType>;

export type ElastiCacheNodeTypeName = keyof typeof ELASTICACHE_NODE_TYPES;
