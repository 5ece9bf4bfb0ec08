import type { Config } from "../config/schema";
import { takeSnapshot } from "../monitor";
import { SnapshotHistory } from "../snapshot/history";
import { SmapsCadence } from "../sources/smaps";
import { startTarget } from "../targets";
import { CliError, type SnapshotSource } from "./common";

/**
 * Samples a configured target directly, with the daemon's own sources, arithmetic and
 * trend, but no server, no schedule and no metrics.
 */
export async function localSource(config: Config, targetName: string | undefined): Promise<SnapshotSource> {
  const targetConfig = targetName === undefined ? config.targets[0] : config.targets.find((t) => t.name === targetName);
  if (targetConfig === undefined) {
    throw new CliError(`no target named ${targetName}; configured: ${config.targets.map((t) => t.name).join(", ")}`);
  }
  const target = await startTarget(targetConfig);
  const history = new SnapshotHistory(config.history_size);
  const smaps = new SmapsCadence(config.smaps_interval_seconds);
  return {
    async take(signal) {
      const { snapshot } = await takeSnapshot(target, config, history, signal, smaps);
      history.add(snapshot);
      return snapshot;
    },
    close: () => target.stop(),
  };
}
