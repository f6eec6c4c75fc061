import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AnnotationMetadataEntryType, TerraformStack, Testing } from "cdktf";
import type { Construct } from "constructs";
import { InvalidPropsError } from "../../constructs";

/** A Terraform block as synthesized: attribute names in snake_case. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TfBlock = Record<string, any>;

/** One construct synthesized in a stack of its own, with ways to look into the result. */
export interface Synthesized {
  /** The stack's Terraform JSON, as cdktf's matchers expect it. */
  readonly json: string;
  readonly tf: TfBlock;
  /** Resources of one type, by their Terraform name. */
  resources(type: string): Record<string, TfBlock>;
  /** The only resource of a type; fails the test when there are none or several. */
  resource(type: string): TfBlock;
  dataSources(type: string): Record<string, TfBlock>;
  /** Warnings the constructs attached (Annotations.addWarning). */
  readonly warnings: readonly string[];
}

/**
 * Builds constructs in a fresh stack with an AWS provider and synthesizes it. The returned value
 * of `build` is handed back so a test can read the construct's outputs.
 */
export function synth<T>(build: (scope: Construct) => T): Synthesized & { readonly built: T } {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const built = build(stack);
  const json = Testing.synth(stack);
  const tf = JSON.parse(json) as TfBlock;
  const warnings = stack.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === AnnotationMetadataEntryType.WARN)
    .map((m) => String(m.data));
  const resources = (type: string): Record<string, TfBlock> => tf.resource?.[type] ?? {};
  return {
    json,
    tf,
    built,
    warnings,
    resources,
    resource(type) {
      const all = Object.values(resources(type));
      if (all.length !== 1) {
        throw new Error(`expected exactly one ${type}, found ${all.length}`);
      }
      return all[0];
    },
    dataSources: (type) => tf.data?.[type] ?? {},
  };
}

/** Every attribute name in a JSON tree, at any depth. */
export function attributeNames(tree: unknown): string[] {
  if (Array.isArray(tree)) return tree.flatMap(attributeNames);
  if (tree !== null && typeof tree === "object") {
    return Object.entries(tree).flatMap(([k, v]) => [k, ...attributeNames(v)]);
  }
  return [];
}

/** A Terraform reference as it appears in synthesized JSON: `ref("aws_x.y.id")` is `${aws_x.y.id}`. */
export function ref(expression: string): string {
  return `\${${expression}}`;
}

/** The problems `validateProps` reported while building; fails the test if nothing was thrown. */
export function problemsOf(build: () => unknown): readonly string[] {
  try {
    build();
  } catch (e) {
    if (e instanceof InvalidPropsError) return e.problems;
    throw e;
  }
  throw new Error("expected the props to be rejected");
}
