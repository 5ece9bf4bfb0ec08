import { performance } from "node:perf_hooks";
import { locateCgroup, readCgroupAt, type CgroupLocation } from "../sources/cgroup";
import { LocateError } from "../sources/locate";
import { ProcessNotFoundError, readProcessMemory, type ProcessReadOptions } from "../sources/process";
import { readProcessStartTicks } from "../sources/process-start";
import type { SmapsCadence, SmapsReading } from "../sources/smaps";
import { readSystemMemory } from "../sources/system";
import type { Target } from "../sources/target";
import type { CgroupMemory, CollectionFigures, CollectionsReading, ProcessMemory, SourceError, SystemMemory } from "../sources/types";
import type { Sample } from "./sample";

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

function readTargetCgroup(target: Target, pid: number | null): CgroupMemory | null {
  const located = pid === null ? null : locateCgroup(pid);
  if (located !== null) lastCgroup.set(target, located);
  const location = located ?? lastCgroup.get(target) ?? null;
  return location === null ? null : readCgroupAt(location, undefined, pid ?? undefined);
}

const processIsGone = (err: unknown) => err instanceof LocateError || err instanceof ProcessNotFoundError;

export interface SampleOptions extends ProcessReadOptions {
  /** The target's smaps walk on its own cadence; without it, no attribution. */
  smaps?: SmapsCadence;
}

/** Reads host, process, cgroup, smaps and collections of one target. Never throws. */
export async function sampleTarget(target: Target, signal: AbortSignal, options: SampleOptions = { smapsRollup: true }): Promise<TimedSample> {
  const takenAt = new Date();
  const started = performance.now();
  const round = new Round();
  const system: SystemMemory | null = await round.run("system", readSystemMemory, () => false);
  const pid = await round.run("locate", () => target.pid(), processIsGone);
  let processMemory: ProcessMemory | null = null;
  let smaps: SmapsReading | null = null;
  const processStartTicks = pid === null ? null : readProcessStartTicks(pid);
  if (pid !== null) {
    processMemory = await round.run("process", () => readProcessMemory(pid, round.errors, options), processIsGone);
    const cadence = options.smaps;
    if (processMemory !== null && cadence !== undefined) smaps = await round.run("smaps", () => cadence.reading(pid, round.errors), processIsGone);
  }
  const cgroup = await round.run("cgroup", () => readTargetCgroup(target, processMemory === null ? null : pid), () => false);
  let reading: CollectionsReading | null = null;
  if (target.collections !== null) {
    const source = target.collections;
    reading = await round.run(source.kind, () => source.collections(signal, round.errors), () => true);
  }
  const collections: CollectionFigures[] | null = reading?.collections ?? null;
  return {
    takenAt,
    durationSeconds: (performance.now() - started) / 1000,
    target: { name: target.name, kind: target.kind, pid, url: target.url, server_version: reading?.serverVersion ?? null },
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
