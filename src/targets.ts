import type { TargetConfig } from "./config/schema";
import { DemoTarget } from "./demo/target";
import { WatchedTarget, type Target, type TargetKind } from "./sources/target";

/** Every kind of target and how it starts; a new kind is one descriptor and one line here. */
const TARGET_KINDS: Record<TargetConfig["kind"], TargetKind> = {
  demo: DemoTarget,
  vectorizer: WatchedTarget,
  qdrant: WatchedTarget,
  chroma: WatchedTarget,
  none: WatchedTarget,
};

export function startTarget(config: TargetConfig): Promise<Target> {
  return TARGET_KINDS[config.kind].start(config);
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
