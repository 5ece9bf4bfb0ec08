import { readFileSync } from "node:fs";
import pidusage from "pidusage";
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

function readProcFile(pid: number, name: string): string {
  try {
    return readFileSync(`/proc/${pid}/${name}`, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new ProcessNotFoundError(pid);
    throw err;
  }
}

function describeReadError(pid: number, file: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") {
    return `cannot read /proc/${pid}/${file}: permission denied (run memsnap as the database's user or grant CAP_SYS_PTRACE)`;
  }
  return `cannot read /proc/${pid}/${file}: ${(err as Error).message}`;
}

async function cpuPercent(pid: number, errors: SourceError[]): Promise<number | null> {
  try {
    return (await pidusage(pid)).cpu;
  } catch (err) {
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
async function readLinuxProcessMemory(pid: number, errors: SourceError[]): Promise<ProcessMemory> {
  const statusText = readProcFile(pid, "status");
  if (/^State:\s+[ZX]/m.test(statusText)) throw new ProcessNotFoundError(pid);
  const status = parseKibLines(statusText);
  let rollup: Map<string, number> | null = null;
  try {
    rollup = parseKibLines(readProcFile(pid, "smaps_rollup"));
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
    cpuPercent: await cpuPercent(pid, errors),
  };
}

async function readPortableProcessMemory(pid: number, errors: SourceError[]): Promise<ProcessMemory> {
  let stats: pidusage.Status;
  try {
    stats = await pidusage(pid);
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

export function readProcessMemory(pid: number, errors: SourceError[]): Promise<ProcessMemory> {
  return process.platform === "linux"
    ? readLinuxProcessMemory(pid, errors)
    : readPortableProcessMemory(pid, errors);
}
