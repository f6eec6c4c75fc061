/**
 * The token sources the adapters use: one per PostgreSQL endpoint, one per Redis connection set.
 */
import { AuthTokenSource } from "./auth-token-source";
import { signElastiCacheAuthToken, signRdsAuthToken } from "./auth-token";
import { defaultCredentialProvider, type IamAuthOptions } from "./credentials";

/** Tokens for `user` at the endpoint `host`:`port` (sign for the endpoint actually dialled). */
export function rdsAuthTokens(
  target: { readonly host: string; readonly port: number; readonly user: string },
  iam: IamAuthOptions,
): AuthTokenSource {
  return new AuthTokenSource({
    description: `RDS auth token for ${target.user}@${target.host}:${target.port}`,
    credentials: iam.credentials ?? defaultCredentialProvider(),
    now: iam.now,
    sign: (credentials, signingDate) =>
      signRdsAuthToken(target, { region: iam.region, credentials, signingDate }),
  });
}

/** Tokens for the RBAC user `userId` on the replication group `replicationGroupId`. */
export function elastiCacheAuthTokens(
  target: { readonly replicationGroupId: string; readonly userId: string },
  iam: IamAuthOptions,
): AuthTokenSource {
  return new AuthTokenSource({
    description: `ElastiCache auth token for ${target.userId}@${target.replicationGroupId}`,
    credentials: iam.credentials ?? defaultCredentialProvider(),
    now: iam.now,
    sign: (credentials, signingDate) =>
      signElastiCacheAuthToken(target, { region: iam.region, credentials, signingDate }),
  });
}
