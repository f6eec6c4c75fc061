/**
 * The environment a container of a synthesized workloads stack would see, so that a test can run
 * the service's own start-up validation on it without a cluster: the image's `ENV` (the last
 * stage of service/Dockerfile), then the container's `env` (later wins, as in Kubernetes), with
 *
 * - files mounted from the settings ConfigMap written to `filesDirectory` (the variable then
 *   points there),
 * - values from Secrets taken from `secrets` (`<secret>/<key>`),
 * - references to the infra stack's outputs replaced by a sample host name, for the host-name
 *   attributes below, or a sample ARN in the infra stack's region, for the resource ARNs below;
 *   any other reference fails, so a new one gets a deliberate sample.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TfBlock } from "./synth";

/** Infra attributes that hold a host name, and the sample each becomes. */
const HOST_ATTRIBUTES: Readonly<Record<string, string>> = {
  endpoint: "search.cluster-sample.eu-west-1.rds.amazonaws.com",
  reader_endpoint: "search.cluster-ro-sample.eu-west-1.rds.amazonaws.com",
  primary_endpoint_address: "master.search.sample.euw1.cache.amazonaws.com",
  configuration_endpoint_address: "clustercfg.search.sample.euw1.cache.amazonaws.com",
};

/** Infra resources whose `arn` a container may be given, and the sample ARN's resource part. */
const ARN_SAMPLES: Readonly<Record<string, (region: string) => string>> = {
  aws_kms_key: (region) =>
    `arn:aws:kms:${region}:111122223333:key/5b6e7a1c-2d3f-4e5a-8b9c-0d1e2f3a4b5c`,
};

export interface ContainerEnvironmentSources {
  /** The pod spec as synthesized (`spec.template.spec` of a Deployment or Job). */
  readonly podSpec: TfBlock;
  /** The workloads stack's synthesized JSON (its ConfigMaps). */
  readonly stack: TfBlock;
  /** The infra stack's synthesized JSON (its outputs). */
  readonly infra: TfBlock;
  /** Secret values by `<secret name>/<key>`. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Where the mounted files are written (the caller removes it). */
  readonly filesDirectory: string;
}

export function containerEnvironment(sources: ContainerEnvironmentSources): Record<string, string> {
  const { podSpec, stack, infra, secrets = {}, filesDirectory } = sources;
  const container = podSpec.container[0] as TfBlock;
  const env: Record<string, string> = { ...imageEnvironment() };
  const mounted = mountedConfigMapFiles(podSpec, container, stack, filesDirectory);
  for (const entry of container.env as TfBlock[]) {
    const secret = entry.value_from?.secret_key_ref as TfBlock | undefined;
    if (secret) {
      const value = secrets[`${secret.name}/${secret.key}`];
      if (value === undefined) throw new Error(`no sample for secret ${secret.name}/${secret.key}`);
      env[entry.name] = value;
      continue;
    }
    const value = resolveReferences(String(entry.value), infra);
    env[entry.name] = mounted.get(value) ?? value;
  }
  return env;
}

/** `ENV NAME=value` lines of the image's last stage. */
function imageEnvironment(): Record<string, string> {
  const dockerfile = readFileSync(path.join(__dirname, "../../service/Dockerfile"), "utf8");
  const lastStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  return Object.fromEntries(
    [...lastStage.matchAll(/^ENV\s+([A-Z_][A-Z0-9_]*)=(\S+)\s*$/gm)].map((m) => [m[1], m[2]]),
  );
}

/** Container path → a temporary copy of the ConfigMap file mounted there. */
function mountedConfigMapFiles(
  podSpec: TfBlock,
  container: TfBlock,
  stack: TfBlock,
  dir: string,
): Map<string, string> {
  const configMaps = Object.entries(stack.resource.kubernetes_config_map_v1 ?? {}) as [
    string,
    TfBlock,
  ][];
  const files = new Map<string, string>();
  for (const mount of (container.volume_mount ?? []) as TfBlock[]) {
    const volume = (podSpec.volume as TfBlock[]).find((v) => v.name === mount.name);
    const reference = volume?.config_map?.name as string | undefined;
    if (!reference) continue;
    const [, data] =
      configMaps.find(([id]) => reference.includes(`kubernetes_config_map_v1.${id}.`)) ?? [];
    if (!data) throw new Error(`volume ${mount.name} names an unknown ConfigMap ${reference}`);
    for (const [file, content] of Object.entries(data.data as Record<string, string>)) {
      const copy = path.join(dir, `${mount.name}-${file}`);
      writeFileSync(copy, content);
      files.set(`${mount.mount_path}/${file}`, copy);
    }
  }
  return files;
}

function resolveReferences(value: string, infra: TfBlock): string {
  const region = String(infra.provider?.aws?.[0]?.region ?? "");
  return value.replace(/\$\{([^}]+)\}/g, (_whole, expression: string) => {
    const output = /\.outputs\.([A-Za-z0-9_-]+)$/.exec(expression)?.[1];
    const target = output ? String(infra.output?.[output]?.value ?? "") : "";
    const attribute = /\.([a-z_]+)\}$/.exec(target)?.[1];
    const resourceType = /^\$\{([a-z0-9_]+)\./.exec(target)?.[1];
    const arnSample =
      attribute === "arn" && resourceType ? ARN_SAMPLES[resourceType]?.(region) : undefined;
    const sample = arnSample ?? (attribute ? HOST_ATTRIBUTES[attribute] : undefined);
    if (!sample) throw new Error(`no sample value for \${${expression}} (infra: ${target})`);
    return sample;
  });
}
