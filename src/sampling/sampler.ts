import { performance } from "node:perf_hooks";
import { locateCgroup, readCgroupAt, type CgroupLocation } from "../sources/cgroup";
import { LocateError } from "../sources/locate";
import { ProcessNotFoundError, readProcessMemory, type ProcessReadOptions } from "../sources/process";
import { hasExited, readProcessStat } from "../sources/process-stat";
import type { SmapsCadence, SmapsReading } from "../sources/smaps";
import { readSystemMemory } from "../sources/system";
import type { Target } from "../sources/target";
import type {
  CgroupMemory,
  CollectionFigures,
  CollectionSource,
  CollectionsReading,
  ProcessMemory,
  SourceError,
  SystemMemory,
} from "../sources/types";
import type { Sample } from "../snapshot/sample";

/** How long one source took and whether it answered. */
export interface SourceOutcome {
  source: string;
  durationSeconds: number;
  success: boolean;
}

export interface TimedSample extends Sample {
  sources: SourceOutcome[];
}

class Round {
  readonly errors: SourceError[] = [];
  readonly downReasons: string[] = [];
  readonly sources: SourceOutcome[] = [];

  /** Runs one source, timing it; a failure becomes an error entry, never an exception. */
  async run<T>(source: string, read: () => Promise<T> | T, isDown: (err: unknown) => boolean): Promise<T | null> {
    const started = performance.now();
    try {
      const value = await read();
      this.sources.push({ source, durationSeconds: (performance.now() - started) / 1000, success: true });
      return value;
    } catch (err) {
      this.sources.push({ source, durationSeconds: (performance.now() - started) / 1000, success: false });
      const message = (err as Error).message;
      this.errors.push({ source, message });
      if (isDown(err)) this.downReasons.push(message);
      return null;
    }
  }
}

/** The cgroup each target's process was last seen in: after an OOM kill the process is gone, its cgroup's counters are not. */
const lastCgroup = new WeakMap<Target, CgroupLocation>();

/**
 * The cgroup of the target's process, or, once it has exited, of the cgroup it was last seen in.
 * A zombie has already left its cgroup (it shows the root's), so it does not count as seen.
 */
function readTargetCgroup(target: Target, pid: number | null): CgroupMemory | null {
  // Located first, then checked: a process that began to exit meanwhile (an OOM kill) may already show the root's cgroup.
  const candidate = pid === null ? null : locateCgroup(pid);
  const located = pid !== null && !hasExited(readProcessStat(pid)) ? candidate : null;
  if (located !== null) lastCgroup.set(target, located);
  const location = located ?? lastCgroup.get(target) ?? null;
  return location === null ? null : readCgroupAt(location, undefined, pid ?? undefined);
}

const processIsGone = (err: unknown) => err instanceof LocateError || err instanceof ProcessNotFoundError;

/** Why a sample's reads were cut off: its deadline passed. */
class SampleDeadlineError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`the sample deadline of ${(deadlineMs / 1000).toFixed(1)} s passed (MEMSNAP_SAMPLE_TIMEOUT)`);
    this.name = "SampleDeadlineError";
  }
}

/** Time a source is given, after its signal aborts, to return what it has read so far. */
const WIND_DOWN_MS = 250;

export interface SampleOptions extends ProcessReadOptions {
  /** The sample ends within this long, with what was read by then; none: no deadline. */
  deadlineMs?: number;
  /** The target's smaps walk on its own cadence; without it, no attribution. */
  smaps?: SmapsCadence;
}

/**
 * Reads the collections with a deadline: the source's signal aborts a little before it, so a
 * source can return a partial reading (naming what is missing); at the deadline the sample
 * goes on without it. Errors the source reports after that are not taken.
 */
async function readCollections(
  source: CollectionSource,
  signal: AbortSignal,
  deadlineMs: number | undefined,
  errors: SourceError[],
): Promise<CollectionsReading> {
  if (deadlineMs === undefined) return source.collections(signal, errors);
  const stop = new AbortController();
  const own: SourceError[] = [];
  const windDown = setTimeout(
    () => stop.abort(new SampleDeadlineError(deadlineMs)),
    Math.max(deadlineMs - WIND_DOWN_MS, deadlineMs / 2),
  );
  let cutOff: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    cutOff = setTimeout(() => reject(new SampleDeadlineError(deadlineMs)), deadlineMs);
  });
  try {
    return await Promise.race([source.collections(AbortSignal.any([signal, stop.signal]), own), deadline]);
  } finally {
    clearTimeout(windDown);
    clearTimeout(cutOff);
    errors.push(...own.splice(0));
  }
}

/** What is left of the deadline of a sample that started at `started`. */
function remaining(deadlineMs: number | undefined, started: number): number | undefined {
  return deadlineMs === undefined ? undefined : Math.max(0, deadlineMs - (performance.now() - started));
}

/** Reads host, process, cgroup, smaps and collections of one target, within its deadline. Never throws. */
export async function sampleTarget(
  target: Target,
  signal: AbortSignal,
  options: SampleOptions = { smapsRollup: true },
): Promise<TimedSample> {
  const takenAt = new Date();
  const started = performance.now();
  const round = new Round();
  const system: SystemMemory | null = await round.run("system", readSystemMemory, () => false);
  const pid = await round.run("locate", () => target.pid(), processIsGone);
  let processMemory: ProcessMemory | null = null;
  let smaps: SmapsReading | null = null;
  const processStartTicks = pid === null ? null : (readProcessStat(pid)?.startTicks ?? null);
  if (pid !== null) {
    processMemory = await round.run("process", () => readProcessMemory(pid, round.errors, options), processIsGone);
    const cadence = options.smaps;
    if (processMemory !== null && cadence !== undefined)
      smaps = await round.run("smaps", () => cadence.reading(pid, round.errors), processIsGone);
  }
  const cgroup = await round.run(
    "cgroup",
    () => readTargetCgroup(target, processMemory === null ? null : pid),
    () => false,
  );
  let reading: CollectionsReading | null = null;
  if (target.collections !== null) {
    const source = target.collections;
    reading = await round.run(
      source.kind,
      () => readCollections(source, signal, remaining(options.deadlineMs, started), round.errors),
      () => true,
    );
  }
  const collections: CollectionFigures[] | null = reading?.collections ?? null;
  return {
    takenAt,
    durationSeconds: (performance.now() - started) / 1000,
    target: {
      name: target.name,
      kind: target.kind,
      pid,
      url: target.url,
      server_version: reading?.serverVersion ?? null,
    },
    system,
    process: processMemory,
    processStartTicks,
    cgroup,
    collections: target.collections === null ? [] : collections,
    runtime: reading?.runtime ?? null,
    smaps,
    errors: round.errors,
    downReasons: round.downReasons,
    sources: round.sources,
  };
}
