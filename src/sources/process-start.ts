import { readFile } from "node:fs/promises";

/**
 * Clock ticks per second of /proc/PID/stat's starttime: USER_HZ, which Linux fixes at 100 for
 * every architecture's user-space ABI (sysconf(_SC_CLK_TCK) is out of Node's reach).
 */
const USER_HZ = 100;

/** The boot time (btime of /proc/stat) in Unix seconds. */
async function bootTimeSeconds(): Promise<number> {
  const match = /^btime (\d+)$/m.exec(await readFile("/proc/stat", "utf8"));
  if (match === null) throw new Error("/proc/stat has no btime line");
  return Number(match[1]);
}

/**
 * When the process started, in Unix seconds: field 22 of /proc/PID/stat (ticks after boot) plus
 * the boot time. The command name (field 2) may hold spaces and parentheses, so fields are
 * counted after its closing parenthesis.
 */
async function readProcessStartTimeSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  if (!Number.isFinite(ticks)) throw new Error(`/proc/${pid}/stat has no start time`);
  return (await bootTimeSeconds()) + ticks / USER_HZ;
}

/** Start times by pid: a process's start time never changes, so each pid is read once. */
export class ProcessStartTimes {
  private readonly byPid = new Map<number, number>();

  /** The start time of `pid`, or null when it cannot be read (the process is gone). */
  async of(pid: number | null): Promise<number | null> {
    if (pid === null) return null;
    const known = this.byPid.get(pid);
    if (known !== undefined) return known;
    try {
      const seconds = await readProcessStartTimeSeconds(pid);
      if (this.byPid.size > 64) this.byPid.clear();
      this.byPid.set(pid, seconds);
      return seconds;
    } catch {
      return null;
    }
  }
}
