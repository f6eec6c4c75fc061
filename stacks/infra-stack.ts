import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { PlatformConfig } from "./config";
import { useRemoteState } from "./remote-state";
import { platformTags } from "./tags";

export interface InfraStackProps {
  readonly config: PlatformConfig;
}

/**
 * `search-<env>-infra`: network, KMS keys, EKS, Aurora, ElastiCache, ECR, the alarm topic and
 * the alarms on managed services, composed from the construct library and sized by config.
 */
export class InfraStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: InfraStackProps) {
    super(scope, id);
    const { config } = props;

    new AwsProvider(this, "aws", {
      region: config.aws.region,
      allowedAccountIds: config.aws.accountId ? [config.aws.accountId] : undefined,
      defaultTags: [{ tags: platformTags(config) }],
    });
    useRemoteState(this, id, config);
  }
}
