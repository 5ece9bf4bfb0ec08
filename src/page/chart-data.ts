import type { Snapshot } from "../snapshot/schema";
import type { ChartData } from "../../web/chart-data";
import { memoryLimit, unexplainedBytes, workingSetBytes } from "./optional-fields";

export type { ChartData };

function seriesOrNull(values: Array<number | null>): Array<number | null> | null {
  return values.some((v) => v !== null) ? values : null;
}

/** The chart of a history, oldest first; the limit and the prediction come from the latest snapshot. */
export function chartData(history: Snapshot[]): ChartData {
  const latest = history.at(-1);
  const limit = latest === undefined ? null : memoryLimit(latest);
  const hours = latest?.trend?.hours_until_memory_limit ?? null;
  const exhaustion =
    latest !== undefined && limit !== null && hours !== null
      ? { t: Date.parse(latest.timestamp) / 1000 + hours * 3600, bytes: limit.bytes }
      : null;
  return {
    t: history.map((s) => Date.parse(s.timestamp) / 1000),
    rss: history.map((s) => s.process_info.physical_memory_bytes),
    working_set: seriesOrNull(history.map(workingSetBytes)),
    unexplained: seriesOrNull(history.map(unexplainedBytes)),
    limit_bytes: limit?.bytes ?? null,
    limit_scope: limit?.scope ?? null,
    exhaustion,
  };
}
