import type { TargetEvents } from "./assessment";
import { sameProcess, type TrendPoint } from "./trend";

const MS_PER_MINUTE = 60_000;

/**
 * OOM kills and restarts look back this far, as the Prometheus rule's `increase(...[5m])`: an
 * event seen by a `?fresh=true` sample still reaches the next scheduled one, and the alert
 * resolves once the lookback holds no event.
 */
export const EVENTS_LOOKBACK_MINUTES = 5;

/** Rises of a kernel counter between consecutive readings; a counter that went down was reset and counts from 0. */
function counterIncrease(values: number[]): number {
  let total = 0;
  for (let i = 1; i < values.length; i++) total += values[i] >= values[i - 1] ? values[i] - values[i - 1] : values[i];
  return total;
}

/** Changes of process (pid, or start time under the same pid) between consecutive readings that name one. */
function restarts(points: TrendPoint[]): number {
  const identified = points.filter((p) => p.pid !== null);
  let count = 0;
  for (let i = 1; i < identified.length; i++) if (!sameProcess(identified[i - 1], identified[i])) count++;
  return count;
}

/**
 * The OOM kills and restarts within the lookback that ends at the last point, each compared
 * with the reading just before the lookback too. `points` may come in any order.
 */
export function recentEvents(points: TrendPoint[], lookbackMinutes = EVENTS_LOOKBACK_MINUTES): TargetEvents {
  const sorted = [...points].sort((a, b) => a.takenAtMs - b.takenAtMs);
  const endMs = sorted[sorted.length - 1]?.takenAtMs ?? 0;
  const fromMs = endMs - lookbackMinutes * MS_PER_MINUTE;
  const firstInside = sorted.findIndex((p) => p.takenAtMs >= fromMs);
  const inLookback = sorted.slice(Math.max(0, firstInside - 1));
  const oomCounts = inLookback.map((p) => p.oomKills).filter((k): k is number => k !== null && k !== undefined);
  return { oomKills: counterIncrease(oomCounts), restarts: restarts(inLookback), lookbackMinutes };
}
