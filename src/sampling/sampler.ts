import { performance } from "node:perf_hooks";
import { readCgroupMemory } from "../sources/cgroup";
import { LocateError } from "../sources/locate";
import { ProcessNotFoundError, readProcessMemory, type ProcessReadOptions } from "../sources/process";
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
  const windDown = setTimeout(() => stop.abort(new SampleDeadlineError(deadlineMs)), Math.max(deadlineMs - WIND_DOWN_MS, deadlineMs / 2));
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

/** Reads host, process, cgroup and collections of one target. Never throws. */
/** What is left of the deadline of a sample that started at `started`. */
function remaining(deadlineMs: number | undefined, started: number): number | undefined {
  return deadlineMs === undefined ? undefined : Math.max(0, deadlineMs - (performance.now() - started));
}

export async function sampleTarget(target: Target, signal: AbortSignal, options: SampleOptions = { smapsRollup: true }): Promise<TimedSample> {
  const takenAt = new Date();
  const started = performance.now();
  const round = new Round();
  const system: SystemMemory | null = await round.run("system", readSystemMemory, () => false);
  const pid = await round.run("locate", () => target.pid(), processIsGone);
  let processMemory: ProcessMemory | null = null;
  let cgroup: CgroupMemory | null = null;
  if (pid !== null) {
    processMemory = await round.run("process", () => readProcessMemory(pid, round.errors, options), processIsGone);
    cgroup = await round.run("cgroup", () => readCgroupMemory(pid), () => false);
  }
  let reading: CollectionsReading | null = null;
  if (target.collections !== null) {
    const source = target.collections;
    reading = await round.run(source.kind, () => readCollections(source, signal, remaining(options.deadlineMs, started), round.errors), () => true);
  }
  const collections: CollectionFigures[] | null = reading?.collections ?? null;
  return {
    takenAt,
    durationSeconds: (performance.now() - started) / 1000,
    target: { name: target.name, kind: target.kind, pid, url: target.url, server_version: reading?.serverVersion ?? null },
    system,
    process: processMemory,
    cgroup,
    collections: target.collections === null ? [] : collections,
    errors: round.errors,
    downReasons: round.downReasons,
    sources: round.sources,
  };
}
