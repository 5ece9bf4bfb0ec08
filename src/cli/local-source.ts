import type { Config } from "../config/schema";
import { createLogger } from "../log";
import { MetricsExporter } from "../metrics/exporter";
import { Monitor } from "../monitor";
import { SnapshotHistory } from "../snapshot/history";
import { startTarget } from "../sources/target";
import { VERSION } from "../version";
import { CliError } from "./common";
import type { SnapshotSource } from "./source";

/**
 * Samples a configured target directly, with the daemon's own sources, arithmetic and
 * trend (its Monitor), but no server and no schedule.
 */
export async function localSource(config: Config, targetName: string | undefined): Promise<SnapshotSource> {
  const targetConfig = targetName === undefined ? config.targets[0] : config.targets.find((t) => t.name === targetName);
  if (targetConfig === undefined) {
    throw new CliError(`no target named ${targetName}; configured: ${config.targets.map((t) => t.name).join(", ")}`);
  }
  const target = await startTarget(targetConfig);
  const history = new SnapshotHistory(config.history_size);
  const monitor = new Monitor(new Map([[target.name, target]]), config, history, new MetricsExporter(VERSION), createLogger("silent"));
  return {
    take: () => monitor.sampleScheduled(target.name),
    async close() {
      await monitor.close();
      await target.stop();
    },
  };
}

