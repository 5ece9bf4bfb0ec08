import { isDeepStrictEqual } from "node:util";
import type { Config, TargetConfig } from "./config/schema";
import { startTarget, type Target } from "./sources/target";

/**
 * Settings a running daemon cannot take over: they shape its socket, its files or its wiring.
 * A reload keeps their running values and says which ones wait for a restart.
 */
export const RESTART_ONLY_SETTINGS = ["port", "host", "data_dir", "output_dir", "history_size", "alerts", "api_token", "web_config_file"] as const;

/** `next` with the running values of the settings only a restart applies, and the names of those that differ. */
export function reloadable(current: Config, next: Config): { config: Config; restartNeeded: string[] } {
  const restartNeeded = RESTART_ONLY_SETTINGS.filter((key) => !isDeepStrictEqual(current[key], next[key]));
  const kept = Object.fromEntries(RESTART_ONLY_SETTINGS.map((key) => [key, current[key]]));
  return { config: { ...next, ...kept }, restartNeeded };
}

export interface TargetChanges {
  /** Started for the new configuration: new names, and targets whose settings changed. */
  started: Map<string, Target>;
  /** Running targets to stop: removed, or replaced by one in `started`. */
  retired: Target[];
  removed: string[];
}

/**
 * Starts what the new target list needs before anything running is touched, so that a target
 * that cannot start (a demo that fails, say) refuses the reload and leaves the running ones be.
 */
export async function startTargetChanges(running: Map<string, Target>, current: TargetConfig[], next: TargetConfig[]): Promise<TargetChanges> {
  const before = new Map(current.map((t) => [t.name, t]));
  const toStart = next.filter((t) => !isDeepStrictEqual(before.get(t.name), t));
  const attempts = await Promise.allSettled(toStart.map((t) => startTarget(t)));
  const started = new Map<string, Target>();
  for (const attempt of attempts) if (attempt.status === "fulfilled") started.set(attempt.value.name, attempt.value);
  const failed = attempts.find((a): a is PromiseRejectedResult => a.status === "rejected");
  if (failed !== undefined) {
    await Promise.allSettled([...started.values()].map((t) => t.stop()));
    throw failed.reason;
  }
  const names = new Set(next.map((t) => t.name));
  const removed = [...running.keys()].filter((name) => !names.has(name));
  const retired = [...running.values()].filter((t) => removed.includes(t.name) || started.has(t.name));
  return { started, retired, removed };
}
