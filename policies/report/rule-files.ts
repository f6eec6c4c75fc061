import { readdirSync } from "node:fs";
import { join, relative } from "node:path";

/**
 * Rule source files under `rulesDir`, by the id in their name (`rules/kms/kms-key-rotation.ts`
 * → "kms-key-rotation"), as paths relative to `base`. One rule per file, named after its id.
 */
export function ruleFiles(rulesDir: string, base: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const area of readdirSync(rulesDir, { withFileTypes: true })) {
    if (!area.isDirectory()) continue;
    for (const file of readdirSync(join(rulesDir, area.name))) {
      if (file.endsWith(".ts") && !file.endsWith(".d.ts")) {
        files.set(
          file.slice(0, -3),
          relative(base, join(rulesDir, area.name, file))
            .split("\\")
            .join("/"),
        );
      }
    }
  }
  return files;
}
