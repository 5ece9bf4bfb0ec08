import { closeSync, openSync, read, readFileSync } from "node:fs";
import { promisify } from "node:util";
import type pidusage from "pidusage";
import { linuxCpuPercent } from "./process-cpu";
import type { ProcessMemory, SourceError } from "./types";

const KIB = 1024;

/** Reads "Key:   123 kB" lines into bytes. */
export function parseKibLines(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (match) fields.set(match[1], Number(match[2]) * KIB);
  }
  return fields;
}

export class ProcessNotFoundError extends Error {
  constructor(readonly pid: number) {
    super(`process ${pid} is not running`);
    this.name = "ProcessNotFoundError";
  }
}

function notFoundAsProcessGone(pid: number, err: unknown): never {
  if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new ProcessNotFoundError(pid);
  throw err;
}

/** A small /proc file, read synchronously: cheaper than a trip through the thread pool. */
function readProcFile(pid: number, name: string): string {
  try {
    return readFileSync(`/proc/${pid}/${name}`, "utf8");
  } catch (err) {
    return notFoundAsProcessGone(pid, err);
  }
}

const readAt = promisify(read);
/** smaps_rollup is some twenty short lines. */
const SMAPS_ROLLUP_MAX_BYTES = 4096;

/**
 * smaps_rollup makes the kernel walk every mapping of the process (about 10 ms per GiB resident)
 * when it is read, so the read runs in the thread pool, in one step: opening and closing cost
 * nothing, and each further step would wait behind a busy event loop. Read only when configured
 * (MEMSNAP_PROCESS_SMAPS).
 */
async function readSmapsRollup(pid: number): Promise<Map<string, number>> {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/smaps_rollup`, "r");
  } catch (err) {
    return notFoundAsProcessGone(pid, err);
  }
  try {
    const buffer = Buffer.alloc(SMAPS_ROLLUP_MAX_BYTES);
    const { bytesRead } = await readAt(fd, buffer, 0, buffer.length, 0);
    return parseKibLines(buffer.toString("utf8", 0, bytesRead));
  } finally {
    closeSync(fd);
  }
}

export interface ProcessReadOptions {
  /** Read PSS and shared pages from smaps_rollup; without it they are null. */
  smapsRollup: boolean;
}

function describeReadError(pid: number, file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") {
    return `cannot read /proc/${pid}/${file}: permission denied (run memsnap as the database's user or grant CAP_SYS_PTRACE)`;
  }
  return `cannot read /proc/${pid}/${file}: ${(err as Error).message}`;
}

function cpuPercent(pid: number, errors: SourceError[]): number | null {
  try {
    return linuxCpuPercent(pid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new ProcessNotFoundError(pid);
    errors.push({ source: "process", message: `cannot read CPU usage of process ${pid}: ${(err as Error).message}` });
    return null;
  }
}

/**
 * The kernel's own figures for a process: /proc/<pid>/status for RSS and its parts,
 * /proc/<pid>/smaps_rollup for PSS and shared pages. Problems that leave some figures
 * unknown are appended to `errors`; a process that does not exist, or has exited and
 * waits to be reaped (a zombie), throws.
 */
async function readLinuxProcessMemory(
  pid: number,
  errors: SourceError[],
  options: ProcessReadOptions,
): Promise<ProcessMemory> {
  const statusText = readProcFile(pid, "status");
  if (/^State:\s+[ZX]/m.test(statusText)) throw new ProcessNotFoundError(pid);
  const status = parseKibLines(statusText);
  let rollup: Map<string, number> | null = null;
  try {
    if (options.smapsRollup) rollup = await readSmapsRollup(pid);
  } catch (err) {
    if (err instanceof ProcessNotFoundError) throw err;
    errors.push({ source: "process", message: describeReadError(pid, "smaps_rollup", err) });
  }
  const field = (map: Map<string, number> | null, key: string) => map?.get(key) ?? null;
  const sharedClean = field(rollup, "Shared_Clean");
  const sharedDirty = field(rollup, "Shared_Dirty");
  return {
    pid,
    residentBytes: field(status, "VmRSS"),
    virtualBytes: field(status, "VmSize"),
    peakResidentBytes: field(status, "VmHWM"),
    anonymousBytes: field(status, "RssAnon"),
    fileBytes: field(status, "RssFile"),
    shmemBytes: field(status, "RssShmem"),
    stackBytes: field(status, "VmStk"),
    swapBytes: field(status, "VmSwap"),
    pssBytes: field(rollup, "Pss"),
    sharedBytes: sharedClean === null || sharedDirty === null ? null : sharedClean + sharedDirty,
    cpuPercent: cpuPercent(pid, errors),
  };
}

/** RSS and CPU from pidusage, loaded only off Linux. */
async function readPortableProcessMemory(pid: number, errors: SourceError[]): Promise<ProcessMemory> {
  let stats: pidusage.Status;
  try {
    const usage = require("pidusage") as typeof pidusage;
    stats = await usage(pid);
  } catch {
    throw new ProcessNotFoundError(pid);
  }
  errors.push({
    source: "process",
    message: `only RSS and CPU are known on ${process.platform}: the other process figures need Linux /proc`,
  });
  return {
    pid,
    residentBytes: stats.memory,
    virtualBytes: null,
    peakResidentBytes: null,
    anonymousBytes: null,
    fileBytes: null,
    shmemBytes: null,
    stackBytes: null,
    swapBytes: null,
    pssBytes: null,
    sharedBytes: null,
    cpuPercent: stats.cpu,
  };
}

export function readProcessMemory(
  pid: number,
  errors: SourceError[],
  options: ProcessReadOptions = { smapsRollup: true },
): Promise<ProcessMemory> {
  return process.platform === "linux"
    ? readLinuxProcessMemory(pid, errors, options)
    : readPortableProcessMemory(pid, errors);
}
