import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface StackSummary {
  readonly stack: string;
  readonly resources: number;
  readonly byType: ReadonlyMap<string, number>;
  readonly dataSources: number;
  readonly outputs: number;
}

type TerraformJson = {
  resource?: Record<string, Record<string, unknown>>;
  data?: Record<string, Record<string, unknown>>;
  output?: Record<string, unknown>;
};

/** Counts what each synthesized stack in `outdir` would create, by resource type. */
export function summarizeSynth(outdir: string): StackSummary[] {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return Object.entries(manifest.stacks).map(([stack, entry]) => {
    const json = JSON.parse(
      readFileSync(join(outdir, entry.synthesizedStackPath), "utf8"),
    ) as TerraformJson;
    const byType = new Map<string, number>();
    for (const [type, instances] of Object.entries(json.resource ?? {})) {
      byType.set(type, Object.keys(instances).length);
    }
    const count = (o: Record<string, Record<string, unknown>> | undefined) =>
      Object.values(o ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
    return {
      stack,
      resources: count(json.resource),
      byType: new Map([...byType].sort(([a], [b]) => a.localeCompare(b))),
      dataSources: count(json.data),
      outputs: Object.keys(json.output ?? {}).length,
    };
  });
}

export function formatSummary(summaries: readonly StackSummary[]): string {
  const lines: string[] = [];
  for (const s of summaries) {
    lines.push(
      `${s.stack}: ${s.resources} resources, ${s.dataSources} data sources, ${s.outputs} outputs`,
    );
    const width = Math.max(0, ...[...s.byType.keys()].map((t) => t.length));
    for (const [type, n] of s.byType)
      lines.push(`  ${type.padEnd(width)}  ${String(n).padStart(3)}`);
  }
  return lines.join("\n");
}
