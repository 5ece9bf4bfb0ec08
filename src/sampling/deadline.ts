import type { ScheduledTask } from "node-cron";

/** A sample never gets longer than this by default, however sparse the schedule. */
const MAX_DEFAULT_DEADLINE_MS = 10_000;
/** Runs of the schedule looked at to find its shortest interval. */
const RUNS_LOOKED_AT = 16;

/**
 * The deadline of one sample: MEMSNAP_SAMPLE_TIMEOUT, else two-thirds of the shortest interval
 * between two runs of the schedule, at most 10 s, so that a sample ends before the next one is due.
 */
export function sampleDeadlineMs(configured: number | undefined, schedule: ScheduledTask): number {
  if (configured !== undefined) return configured;
  const runs = schedule.getNextRuns(RUNS_LOOKED_AT).map((date) => date.getTime());
  const gaps = runs.slice(1).map((run, i) => run - runs[i]);
  const interval = gaps.length > 0 ? Math.min(...gaps) : MAX_DEFAULT_DEADLINE_MS;
  return Math.min(MAX_DEFAULT_DEADLINE_MS, Math.floor((interval * 2) / 3));
}
