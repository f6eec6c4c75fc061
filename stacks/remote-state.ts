import { S3Backend, type TerraformStack } from "cdktf";
import type { PlatformConfig } from "./config";

/**
 * Points a stack's state at its own object in the environment's state bucket: encrypted, and
 * locked either by S3 itself (a lock file next to the state, Terraform/OpenTofu ≥ 1.10) or by a
 * DynamoDB table. Nothing machine-specific lands in the synthesized JSON.
 */
export function useRemoteState(
  stack: TerraformStack,
  stackName: string,
  config: PlatformConfig,
): void {
  const { state } = config;
  new S3Backend(stack, {
    bucket: state.bucket,
    key: `${state.keyPrefix}/${stackName}.tfstate`,
    region: state.region,
    encrypt: true,
    kmsKeyId: state.kmsKeyArn,
    dynamodbTable: typeof state.lock === "object" ? state.lock.dynamodbTable : undefined,
  });
  if (state.lock === "s3-lockfile") {
    // cdktf 0.21's S3Backend predates `use_lockfile`; the override writes the plain key.
    stack.addOverride("terraform.backend.s3.use_lockfile", true);
  }
}
