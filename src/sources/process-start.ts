import { readFileSync } from "node:fs";

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
