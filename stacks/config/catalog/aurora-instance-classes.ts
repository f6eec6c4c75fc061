/**
 * Aurora PostgreSQL instance classes the platform knows how to size for.
 *
 * `maxConnections` is Aurora PostgreSQL's default, LEAST(DBInstanceClassMemory / 9531392, 5000),
 * computed as the AWS documentation's own worked example does (memory in GiB × 10^9): that is
 * below the bytes the class really has, so pool sizing derived from it errs on the safe side.
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Managing.html
 */
export interface AuroraInstanceClass {
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** Burstable (T) classes: for development only, per AWS guidance. */
  readonly burstable: boolean;
}

const r = (vcpu: number, memoryGiB: number): AuroraInstanceClass => ({
  vcpu,
  memoryGiB,
  burstable: false,
});
const t = (vcpu: number, memoryGiB: number): AuroraInstanceClass => ({
  vcpu,
  memoryGiB,
  burstable: true,
});

export const AURORA_INSTANCE_CLASSES = {
  "db.t4g.medium": t(2, 4),
  "db.t4g.large": t(2, 8),
  "db.r6g.large": r(2, 16),
  "db.r6g.xlarge": r(4, 32),
  "db.r6g.2xlarge": r(8, 64),
  "db.r6g.4xlarge": r(16, 128),
  "db.r7g.large": r(2, 16),
  "db.r7g.xlarge": r(4, 32),
  "db.r7g.2xlarge": r(8, 64),
  "db.r7g.4xlarge": r(16, 128),
  "db.r7g.8xlarge": r(32, 256),
  "db.r8g.large": r(2, 16),
  "db.r8g.xlarge": r(4, 32),
  "db.r8g.2xlarge": r(8, 64),
  "db.r8g.4xlarge": r(16, 128),
} as const satisfies Record<string, AuroraInstanceClass>;

export type AuroraInstanceClassName = keyof typeof AURORA_INSTANCE_CLASSES;

/** Aurora PostgreSQL's default max_connections for an instance class. */
export function auroraMaxConnections(instanceClass: AuroraInstanceClassName): number {
  const { memoryGiB } = AURORA_INSTANCE_CLASSES[instanceClass];
  return Math.min(Math.floor((memoryGiB * 1e9) / 9_531_392), 5000);
}
