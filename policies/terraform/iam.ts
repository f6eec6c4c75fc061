/**
 * IAM policy documents, read from either form the stacks use: an `aws_iam_policy_document` data
 * source (structured statements) or a literal JSON string. Both become the same statement model.
 */
import { isJsonObject, type Json, type JsonObject } from "./json";
import {
  describeUnreadable,
  ok,
  unreadable,
  type Read,
  type StackView,
  type Value,
} from "./stack-view";

export interface Principal {
  /** "AWS", "Service", "Federated" or "*". */
  readonly type: string;
  /** ARNs, account ids, service names or "*"; references stay as `${...}` strings. */
  readonly identifiers: readonly string[];
}

export interface Condition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

export interface Statement {
  readonly sid: string | undefined;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly principals: readonly Principal[];
  readonly notPrincipals: readonly Principal[];
  readonly conditions: readonly Condition[];
}

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const asStrings = (v: unknown): string[] => asList(v).map((x) => String(x));

/**
 * The statements of the policy argument at `path` (a reference to an `aws_iam_policy_document`
 * or a literal JSON document). `undefined` when the argument is not set.
 */
export function readPolicy(
  stack: StackView,
  obj: JsonObject,
  path: string,
): Read<Statement[] | undefined> {
  const value = stack.attr(obj, path);
  if (value.kind === "missing") return ok(undefined);
  return statementsOf(stack, path, value, 0);
}

function statementsOf(
  stack: StackView,
  path: string,
  value: Value,
  depth: number,
): Read<Statement[]> {
  if (value.kind === "literal" && typeof value.value === "string")
    return parseJsonPolicy(path, value.value);
  if (
    value.kind === "reference" &&
    value.target.mode === "data" &&
    value.target.type === "aws_iam_policy_document" &&
    /^(minified_)?json$/.test(value.attribute)
  ) {
    return readDocument(stack.viewOf(value.target), value.target.body, value.target.address, depth);
  }
  if (value.kind === "literal") return unreadable(`\`${path}\` is not a policy document`);
  return unreadable(describeUnreadable(path, value));
}

function readDocument(
  stack: StackView,
  doc: JsonObject,
  address: string,
  depth: number,
): Read<Statement[]> {
  if (depth > 8) return unreadable(`${address}: policy documents nest too deep`);
  const statements: Statement[] = [];
  for (const key of ["source_policy_documents", "override_policy_documents"]) {
    const sources = stack.list(doc, key);
    if (!sources.ok) return unreadable(`${address}: ${sources.problem}`);
    for (const [i, source] of sources.value.entries()) {
      const nested = statementsOf(stack, `${address}.${key}[${i}]`, source, depth + 1);
      if (!nested.ok) return nested;
      statements.push(...nested.value);
    }
  }
  const blocks = stack.blocksOf(doc, "statement");
  if (!blocks.ok) return unreadable(`${address}: ${blocks.problem}`);
  for (const [i, s] of blocks.value.entries()) {
    const label = `${address}.statement[${i}]`;
    const effect = stack.string(s, "effect", { default: "Allow" });
    if (!effect.ok) return unreadable(`${label}: ${effect.problem}`);
    if (effect.value !== "Allow" && effect.value !== "Deny") {
      return unreadable(`${label}: \`effect\` is "${effect.value}"`);
    }
    const actions = stack.strings(s, "actions", { default: [] });
    const notActions = stack.strings(s, "not_actions", { default: [] });
    const principals = readPrincipals(stack, s, "principals", label);
    const notPrincipals = readPrincipals(stack, s, "not_principals", label);
    const conditions = readConditions(stack, s);
    for (const r of [actions, notActions, principals, notPrincipals, conditions]) {
      if (!r.ok) return unreadable(`${label}: ${r.problem}`);
    }
    statements.push({
      sid: typeof s.sid === "string" ? s.sid : undefined,
      effect: effect.value,
      actions: actions.ok ? actions.value : [],
      notActions: notActions.ok ? notActions.value : [],
      principals: principals.ok ? principals.value : [],
      notPrincipals: notPrincipals.ok ? notPrincipals.value : [],
      conditions: conditions.ok ? conditions.value : [],
    });
  }
  return ok(statements);
}

/** Principal identifiers may be references (`${aws_iam_role.x.arn}`): kept as written. */
function readPrincipals(
  stack: StackView,
  s: JsonObject,
  key: string,
  label: string,
): Read<Principal[]> {
  const blocks = stack.blocksOf(s, key);
  if (!blocks.ok) return blocks;
  const principals: Principal[] = [];
  for (const p of blocks.value) {
    const type = stack.string(p, "type");
    if (!type.ok) return unreadable(`${label}.${key}: ${type.problem}`);
    const raw = stack.raw(p, "identifiers");
    if (!Array.isArray(raw)) return unreadable(`${label}.${key}: \`identifiers\` is not a list`);
    principals.push({
      type: type.value,
      identifiers: (raw as readonly Json[]).map((x) => String(x)),
    });
  }
  return ok(principals);
}

/** Condition keys and values may interpolate references (`aws:ResourceTag/${...}`): kept as written. */
function readConditions(stack: StackView, s: JsonObject): Read<Condition[]> {
  const blocks = stack.blocksOf(s, "condition");
  if (!blocks.ok) return blocks;
  const conditions: Condition[] = [];
  for (const c of blocks.value) {
    const test = stack.string(c, "test");
    const variable = stack.raw(c, "variable");
    const values = stack.raw(c, "values");
    if (!test.ok) return unreadable(`condition: ${test.problem}`);
    if (typeof variable !== "string" || !Array.isArray(values)) {
      return unreadable("a condition lacks `variable` or `values`");
    }
    conditions.push({
      test: test.value,
      variable,
      values: (values as readonly Json[]).map((x) => String(x)),
    });
  }
  return ok(conditions);
}

function parseJsonPolicy(path: string, text: string): Read<Statement[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return unreadable(`\`${path}\` is not valid JSON`);
  }
  if (!isJsonObject(doc)) return unreadable(`\`${path}\` is not a policy document`);
  const statements: Statement[] = [];
  for (const s of asList(doc.Statement)) {
    if (!isJsonObject(s) || (s.Effect !== "Allow" && s.Effect !== "Deny")) {
      return unreadable(`\`${path}\` has a statement without Effect Allow or Deny`);
    }
    const conditions: Condition[] = [];
    if (isJsonObject(s.Condition)) {
      for (const [test, byKey] of Object.entries(s.Condition)) {
        if (!isJsonObject(byKey)) return unreadable(`\`${path}\` has a malformed Condition`);
        for (const [variable, values] of Object.entries(byKey)) {
          conditions.push({ test, variable, values: asStrings(values) });
        }
      }
    }
    statements.push({
      sid: typeof s.Sid === "string" ? s.Sid : undefined,
      effect: s.Effect,
      actions: asStrings(s.Action),
      notActions: asStrings(s.NotAction),
      principals: jsonPrincipals(s.Principal),
      notPrincipals: jsonPrincipals(s.NotPrincipal),
      conditions,
    });
  }
  return ok(statements);
}

function jsonPrincipals(p: unknown): Principal[] {
  if (p === undefined) return [];
  if (p === "*") return [{ type: "*", identifiers: ["*"] }];
  if (!isJsonObject(p)) return [{ type: "?", identifiers: asStrings(p) }];
  return Object.entries(p).map(([type, ids]) => ({ type, identifiers: asStrings(ids) }));
}

const PARTITION = String.raw`(aws[\w-]*|\$\{data\.aws_partition\.[\w-]+\.partition\})`;
const ACCOUNT = String.raw`(\d{12}|\$\{data\.aws_caller_identity\.[\w-]+\.account_id\})`;
const ROOT = new RegExp(`^(arn:${PARTITION}:iam::${ACCOUNT}:root|${ACCOUNT})$`);

/** Stands for the stack's own account where no identifier was written (KMS's default key policy). */
export const THIS_ACCOUNT = "(this account)";

/** The account itself (`arn:aws:iam::<account>:root` or the bare account id). */
export function isAccountRoot(principal: Principal): boolean {
  return (
    principal.type === "AWS" &&
    principal.identifiers.every((id) => id === THIS_ACCOUNT || ROOT.test(id))
  );
}

/** Anyone: `Principal: "*"` or `{"AWS": "*"}`. */
export function isPublic(principal: Principal): boolean {
  return (
    (principal.type === "*" || principal.type === "AWS") && principal.identifiers.includes("*")
  );
}

/** Condition keys that narrow *who* may act to an account, organization, source or network. */
const SCOPING_KEYS = new Set(
  [
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "kms:CallerAccount",
  ].map((k) => k.toLowerCase()),
);

/** True when a condition restricts the caller's identity (with a value other than "*"). */
export function hasScopingCondition(statement: Statement): boolean {
  return statement.conditions.some(
    (c) =>
      SCOPING_KEYS.has(c.variable.toLowerCase()) &&
      c.values.length > 0 &&
      c.values.every((v) => v !== "*" && v !== ""),
  );
}

/** Allow statements that let anyone act without a condition narrowing who. */
export function publicStatements(statements: readonly Statement[]): Statement[] {
  return statements.filter(
    (s) =>
      s.effect === "Allow" &&
      (s.principals.some(isPublic) || s.notPrincipals.length > 0) &&
      !hasScopingCondition(s),
  );
}

/** Describes a statement for a message: its Sid, or its position. */
export function describeStatement(statement: Statement, index: number): string {
  return statement.sid ? `statement "${statement.sid}"` : `statement ${index + 1}`;
}
