/**
 * IAM authentication tokens for Aurora PostgreSQL and ElastiCache: each is a SigV4-presigned
 * `GET /?Action=connect&...` URL without its scheme, valid for 15 minutes from its signing. The
 * database (or cache) checks the signature when a connection authenticates, so the token only
 * has to be valid at that moment; an open connection outlives it.
 *
 * One signing path for both services. `@aws-sdk/rds-signer` is the AWS SDK's reference for the
 * RDS token, and the tests hold this module to its exact output; it is not used at run time
 * because it takes no signing date, hides when the credentials behind a token expire, and pulls
 * in `@aws-sdk/credential-providers` (Cognito and SSO clients) for nothing.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.Connecting.html
 * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html
 */
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity } from "@smithy/types";

/** How long AWS accepts an IAM auth token after its signing (fixed by both services). */
export const AUTH_TOKEN_LIFETIME_SECONDS = 900;

/** What every token needs besides its target. */
export interface SigningInput {
  readonly region: string;
  readonly credentials: AwsCredentialIdentity;
  /** The token is valid from this instant for AUTH_TOKEN_LIFETIME_SECONDS. */
  readonly signingDate: Date;
}

/** An RDS IAM database authentication token for `user` at `host`:`port` (the endpoint dialled). */
export function signRdsAuthToken(
  target: { readonly host: string; readonly port: number; readonly user: string },
  input: SigningInput,
): Promise<string> {
  return presignConnect(
    {
      service: "rds-db",
      // RDS signs the endpoint with its port, as rds-signer does.
      authority: `${target.host}:${target.port}`,
      query: { Action: "connect", DBUser: target.user },
    },
    input,
  );
}

/**
 * An ElastiCache IAM authentication token: the resource is the replication group (cluster mode
 * or not), the user is the RBAC user id, which IAM authentication requires to equal its name.
 */
export function signElastiCacheAuthToken(
  target: { readonly replicationGroupId: string; readonly userId: string },
  input: SigningInput,
): Promise<string> {
  return presignConnect(
    {
      service: "elasticache",
      authority: target.replicationGroupId,
      query: { Action: "connect", User: target.userId },
    },
    input,
  );
}

async function presignConnect(
  target: { service: string; authority: string; query: Record<string, string> },
  input: SigningInput,
): Promise<string> {
  const signer = new SignatureV4({
    service: target.service,
    region: input.region,
    credentials: input.credentials,
    sha256: Sha256,
  });
  // The host header is the only signed header; the scheme is not part of the signature.
  const presigned = await signer.presign(
    {
      method: "GET",
      protocol: "https:",
      hostname: target.authority,
      path: "/",
      query: { ...target.query },
      headers: { host: target.authority },
    },
    { signingDate: input.signingDate, expiresIn: AUTH_TOKEN_LIFETIME_SECONDS },
  );
  return `${target.authority}/?${queryString(presigned.query as Record<string, string>)}`;
}

/** Keys sorted, keys and values escaped as SigV4 escapes them (what the SDK's formatUrl does). */
function queryString(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((key) => `${escapeUri(key)}=${escapeUri(query[key])}`)
    .join("&");
}

function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
