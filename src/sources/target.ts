import type { TargetConfig } from "../config/schema";
import { launchDemo, type DemoProcess } from "../demo/launcher";
import { apiUrlOf, createCollectionSource } from "./collections/registry";
import { locateProcess, type ProcessLocator } from "./locate";
import type { CollectionSource } from "./types";

/** One watched database: its process and, optionally, the API that lists its collections. */
export interface Target {
  readonly name: string;
  readonly kind: TargetConfig["kind"];
  readonly url: string | null;
  readonly collections: CollectionSource | null;
  /** The pid to sample now; throws a LocateError saying why there is none. */
  pid(): number;
  stop(): Promise<void>;
}

function locatorOf(config: TargetConfig): ProcessLocator {
  if (config.pid !== undefined) return { pid: config.pid };
  if (config.pid_file !== undefined) return { pidFile: config.pid_file };
  return { pattern: config.process! };
}

async function startDemoTarget(config: TargetConfig): Promise<Target> {
  const demo: DemoProcess = await launchDemo(config.scale);
  return {
    name: config.name,
    kind: config.kind,
    url: demo.url,
    collections: createCollectionSource(config, demo.url),
    pid: () => demo.pid,
    stop: () => demo.stop(),
  };
}

export async function startTarget(config: TargetConfig): Promise<Target> {
  if (config.kind === "demo") return startDemoTarget(config);
  const locator = locatorOf(config);
  const url = apiUrlOf(config);
  return {
    name: config.name,
    kind: config.kind,
    url,
    collections: createCollectionSource(config, url),
    pid: () => locateProcess(locator),
    stop: async () => undefined,
  };
}

/** Starts every target, or none: when one fails, those already started are stopped and its error thrown. */
export async function startAll(configs: TargetConfig[]): Promise<Map<string, Target>> {
  const attempts = await Promise.allSettled(configs.map((t) => startTarget(t)));
  const started = new Map<string, Target>();
  for (const attempt of attempts) if (attempt.status === "fulfilled") started.set(attempt.value.name, attempt.value);
  const failed = attempts.find((a): a is PromiseRejectedResult => a.status === "rejected");
  if (failed !== undefined) {
    await Promise.allSettled([...started.values()].map((t) => t.stop()));
    throw failed.reason;
  }
  return started;
}
