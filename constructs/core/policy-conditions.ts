import type { DataAwsIamPolicyDocumentStatementCondition } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/** Where a policy statement applies: an account, its partition and region. */
export interface AccountScope {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
}

/**
 * Conditions that admit `cloudwatch.amazonaws.com` only on behalf of this account's alarms in
 * this region (the confused-deputy guard AWS recommends for service principals). Used by the
 * alarm topic's policy and by its KMS key's policy: both must let the same alarms in.
 */
export function fromCloudWatchAlarmsOf(
  scope: AccountScope,
): DataAwsIamPolicyDocumentStatementCondition[] {
  return [
    { test: "StringEquals", variable: "aws:SourceAccount", values: [scope.accountId] },
    {
      test: "ArnLike",
      variable: "aws:SourceArn",
      values: [`arn:${scope.partition}:cloudwatch:${scope.region}:${scope.accountId}:alarm:*`],
    },
  ];
}
