import type { JsonObject } from "./json";
import { describeUnreadable, ok, unreadable, type Read, type StackView } from "./stack-view";

const KEY_RESOURCES = new Set([
  "aws_kms_key",
  "aws_kms_replica_key",
  "aws_kms_external_key",
  "aws_kms_replica_external_key",
  "aws_kms_alias",
]);
const KEY_ARN = /^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:(key\/[\w-]+|alias\/[\w/.-]+)$/;
const KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const AWS_MANAGED = /(^|:)alias\/aws\//;

/**
 * Reads an argument that must name a customer-managed KMS key: a key (or alias) of the stack, a
 * data source of an existing key other than an AWS managed one, or a literal key ARN or id.
 * Anything else — not set, an AWS managed `alias/aws/...`, a value that cannot be read — fails,
 * with a message saying which.
 */
export function readCustomerManagedKey(
  stack: StackView,
  obj: JsonObject,
  path: string,
): Read<string> {
  const value = stack.attr(obj, path);
  switch (value.kind) {
    case "literal": {
      const key = value.value;
      if (typeof key !== "string") return unreadable(`\`${path}\` is not a key ARN or id`);
      if (AWS_MANAGED.test(key)) {
        return unreadable(
          `\`${path}\` is the AWS managed key "${key}", whose policy the account cannot control`,
        );
      }
      return KEY_ARN.test(key) || KEY_ID.test(key) || /^alias\/[\w/.-]+$/.test(key)
        ? ok(key)
        : unreadable(`\`${path}\` is "${key}", which is not a KMS key ARN, id or alias`);
    }
    case "reference": {
      const { target } = value;
      if (target.mode === "managed" && KEY_RESOURCES.has(target.type)) return ok(target.address);
      if (
        target.mode === "data" &&
        (target.type === "aws_kms_key" || target.type === "aws_kms_alias")
      ) {
        const named = stack
          .viewOf(target)
          .string(target.body, target.type === "aws_kms_key" ? "key_id" : "name");
        if (!named.ok) return unreadable(`${target.address}: ${named.problem}`);
        return AWS_MANAGED.test(named.value)
          ? unreadable(`\`${path}\` is the AWS managed key "${named.value}" (${target.address})`)
          : ok(target.address);
      }
      return unreadable(`\`${path}\` refers to ${target.address}, which is not a KMS key`);
    }
    default:
      return unreadable(describeUnreadable(path, value));
  }
}
