import type { TargetConfig } from "../config/schema";
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

/** How one kind of target starts: one descriptor per kind, listed in the registry of src/targets.ts. */
export interface TargetKind {
  start(config: TargetConfig): Promise<Target>;
}

function locatorOf(config: TargetConfig): ProcessLocator {
  if (config.pid !== undefined) return { pid: config.pid };
  if (config.pid_file !== undefined) return { pidFile: config.pid_file };
  if (config.process !== undefined) return { pattern: config.process };
  throw new Error(`target ${config.name} names no process to watch: set pid, pid_file or process`);
}

/** A database memsnap finds and watches but does not run: its process by pid, pid file or pattern, and its API. */
export const WatchedTarget: TargetKind = {
  start(config) {
    const locator = locatorOf(config);
    const url = apiUrlOf(config);
    return Promise.resolve({
      name: config.name,
      kind: config.kind,
      url,
      collections: createCollectionSource(config, url),
      pid: () => locateProcess(locator),
      stop: () => Promise.resolve(),
    });
  },
};
