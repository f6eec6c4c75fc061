/**
 * AWS credentials for signing IAM auth tokens: the SDK's default provider chain (environment,
 * shared config, web identity, then container credentials — EKS Pod Identity's agent — or EC2
 * instance metadata), memoized: the chain is asked again only when its credentials near their
 * expiry, so signing a token costs no network call most of the time.
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import type { AwsCredentialIdentity } from "@smithy/types";

/** Resolves credentials; `forceRefresh` asks the source again even if the cached ones are valid. */
export type CredentialProvider = (options?: {
  readonly forceRefresh?: boolean;
}) => Promise<AwsCredentialIdentity>;

/** How a process signs IAM auth tokens: the region, and optionally where credentials come from. */
export interface IamAuthOptions {
  /** AWS_REGION: the region the tokens are signed for. */
  readonly region: string;
  /** @default - the default provider chain, one per process (see `defaultCredentialProvider`) */
  readonly credentials?: CredentialProvider;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

let shared: CredentialProvider | undefined;

/** The process's one memoized default provider chain, shared by every token source. */
export function defaultCredentialProvider(): CredentialProvider {
  shared ??= defaultProvider() as CredentialProvider;
  return shared;
}
