import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";

/**
 * Clock ticks per second of /proc/PID/stat's starttime: USER_HZ, which Linux fixes at 100 for
 * every architecture's user-space ABI (sysconf(_SC_CLK_TCK) is out of Node's reach).
 */
const USER_HZ = 100;

/**
 * When a process started, in clock ticks after boot: field 22 of /proc/<pid>/stat, counted after
 * the command name (which may hold spaces and parentheses). Null where /proc cannot tell.
 */
export function readProcessStartTicks(pid: number, proc = "/proc"): number | null {
  let stat: string;
  try {
    stat = readFileSync(`${proc}/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  return Number.isInteger(ticks) ? ticks : null;
}

/** The boot time (btime of /proc/stat) in Unix seconds. */
async function bootTimeSeconds(): Promise<number> {
  const match = /^btime (\d+)$/m.exec(await readFile("/proc/stat", "utf8"));
  if (match === null) throw new Error("/proc/stat has no btime line");
  return Number(match[1]);
}

/** Start times by pid: a process's start time never changes, so each pid is read once. */
export class ProcessStartTimes {
  private readonly byPid = new Map<number, number>();

  /** The start time of `pid` in Unix seconds, or null when it cannot be read (the process is gone). */
  async of(pid: number | null): Promise<number | null> {
    if (pid === null) return null;
    const known = this.byPid.get(pid);
    if (known !== undefined) return known;
    const ticks = readProcessStartTicks(pid);
    if (ticks === null) return null;
    try {
      const seconds = (await bootTimeSeconds()) + ticks / USER_HZ;
      if (this.byPid.size > 64) this.byPid.clear();
      this.byPid.set(pid, seconds);
      return seconds;
    } catch {
      return null;
    }
  }
}
