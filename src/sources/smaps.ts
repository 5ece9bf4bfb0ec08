import { readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { ProcessNotFoundError } from "./process";
import type { SourceError } from "./types";

const KIB = 1024;

/** One mapping of /proc/<pid>/smaps: its address range, permissions, backing and resident pages. */
export interface SmapsMapping {
  startAddress: number;
  endAddress: number;
  /** "r-xp", "rw-s", …: the fourth letter is p (private) or s (shared). */
  permissions: string;
  /** The file, or the kernel's name ([heap], [stack], [vdso]); empty for an anonymous mapping. */
  path: string;
  rssBytes: number;
  anonymousBytes: number;
  swapBytes: number;
}

/** The threads of the process, and the stack pointers of those blocked in a system call. */
export interface ThreadStacks {
  threads: number;
  /** Stack pointers of the threads other than the main one, where the kernel gave them. */
  stackPointers: number[];
  /** Threads other than the main one whose stack pointer could not be read (running, or not permitted). */
  unreadable: number;
}

/** One full walk of /proc/<pid>/smaps, with the threads' stack pointers read at the same time. */
export interface SmapsReading {
  pid: number;
  readAtMs: number;
  mappings: SmapsMapping[];
  threads: ThreadStacks;
}

const isHexDigit = (code: number) => (code >= 48 && code <= 57) || (code >= 97 && code <= 102);
const HEADER = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S+)\s+\S+\s+\S+\s+\d+\s*(.*)$/;
const kibField = (line: string, prefixLength: number) => parseInt(line.slice(prefixLength), 10) * KIB;

/** Parses /proc/<pid>/smaps: a header line per mapping (it starts with a hex address), then "Key: N kB" lines. */
export function parseSmaps(text: string): SmapsMapping[] {
  const mappings: SmapsMapping[] = [];
  let current: SmapsMapping | null = null;
  for (const line of text.split("\n")) {
    if (line.length === 0) continue;
    if (isHexDigit(line.charCodeAt(0))) {
      const match = HEADER.exec(line);
      if (match === null) continue;
      current = {
        startAddress: parseInt(match[1], 16),
        endAddress: parseInt(match[2], 16),
        permissions: match[3],
        path: match[4].trim(),
        rssBytes: 0,
        anonymousBytes: 0,
        swapBytes: 0,
      };
      mappings.push(current);
    } else if (current !== null) {
      if (line.startsWith("Rss:")) current.rssBytes = kibField(line, 4);
      else if (line.startsWith("Anonymous:")) current.anonymousBytes = kibField(line, 10);
      else if (line.startsWith("Swap:")) current.swapBytes = kibField(line, 5);
    }
  }
  return mappings;
}

/**
 * The stack pointer in /proc/<pid>/task/<tid>/syscall: its second-to-last field, for a thread
 * blocked in a system call ("202 0x… … 0x7ffd… 0x7f…") or out of one ("-1 0x… 0x…");
 * null for a thread running on a CPU ("running").
 */
export function parseSyscallStackPointer(text: string): number | null {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 3) return null;
  const field = fields[fields.length - 2];
  if (!/^0x[0-9a-f]+$/i.test(field)) return null;
  const pointer = parseInt(field, 16);
  return pointer > 0 ? pointer : null;
}

function readThreadStacks(pid: number): ThreadStacks {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { threads: 0, stackPointers: [], unreadable: 0 };
  }
  const stackPointers: number[] = [];
  let unreadable = 0;
  for (const tid of tids) {
    if (tid === String(pid)) continue;
    let pointer: number | null = null;
    try {
      pointer = parseSyscallStackPointer(readFileSync(`/proc/${pid}/task/${tid}/syscall`, "utf8"));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
    }
    if (pointer === null) unreadable += 1;
    else stackPointers.push(pointer);
  }
  return { threads: tids.length, stackPointers, unreadable };
}

/**
 * One walk of /proc/<pid>/smaps (the kernel walks every page of the process: milliseconds per
 * GiB resident, so it is read in the thread pool) and the threads' stack pointers.
 */
export async function readSmaps(pid: number, readAtMs: number = Date.now()): Promise<SmapsReading> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/smaps`, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ESRCH") throw new ProcessNotFoundError(pid);
    if (code === "EACCES" || code === "EPERM") {
      throw new Error(
        `cannot read /proc/${pid}/smaps: permission denied (run memsnap as the database's user or grant CAP_SYS_PTRACE)`,
        {
          cause: err,
        },
      );
    }
    throw new Error(`cannot read /proc/${pid}/smaps: ${(err as Error).message}`, { cause: err });
  }
  return { pid, readAtMs, mappings: parseSmaps(text), threads: readThreadStacks(pid) };
}

/**
 * The smaps walk on its own cadence (MEMSNAP_SMAPS_INTERVAL): a new walk when the last one is
 * older than the interval or belongs to another process; the last walk in between.
 */
export class SmapsCadence {
  private last: SmapsReading | null = null;

  constructor(private readonly intervalSeconds: number) {}

  /** The walk to attribute this sample by; null when off, or where there is no /proc (not Linux). */
  async reading(pid: number, errors: SourceError[], nowMs: number = Date.now()): Promise<SmapsReading | null> {
    if (this.intervalSeconds === 0 || process.platform !== "linux") return null;
    const last = this.last;
    if (last !== null && last.pid === pid && nowMs - last.readAtMs < this.intervalSeconds * 1000) return last;
    try {
      this.last = await readSmaps(pid, nowMs);
    } catch (err) {
      if (err instanceof ProcessNotFoundError) throw err;
      errors.push({ source: "smaps", message: `${(err as Error).message}; the memory attribution is not known` });
      this.last = null;
    }
    return this.last;
  }
}
