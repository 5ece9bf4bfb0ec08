import type { TargetConfig } from "./config/schema";
import { DemoTarget } from "./demo/target";
import { WatchedTarget, type Target, type TargetKind } from "./sources/target";

/** Every kind of target and how it starts; a new kind is one descriptor and one line here. */
const TARGET_KINDS: Record<TargetConfig["kind"], TargetKind> = {
  demo: DemoTarget,
  vectorizer: WatchedTarget,
  qdrant: WatchedTarget,
  none: WatchedTarget,
};

export function startTarget(config: TargetConfig): Promise<Target> {
  return TARGET_KINDS[config.kind].start(config);
}
