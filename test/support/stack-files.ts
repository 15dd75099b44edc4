/**
 * The repository's stack files (Pulumi.<stack>.yaml) as tests deploy them: their config, keys
 * without the `docker-netlabs:` namespace.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

const ROOT = path.join(__dirname, "../..");

export function stackFileConfig(stack: string): Record<string, any> {
  const file = parseYaml(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  return Object.fromEntries(
    Object.entries(file.config as Record<string, unknown>).map(([key, value]) => [key.replace("docker-netlabs:", ""), value]),
  );
}
