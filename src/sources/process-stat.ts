import { readFileSync } from "node:fs";

/** What /proc/<pid>/stat says of a process's life: its state letter and when it started. */
export interface ProcessStat {
  /** R, S, D, … ; Z for a zombie (dead, not yet reaped: it has left its cgroup). */
  state: string;
  /** When the process started, in clock ticks after boot (field 22). */
  startTicks: number | null;
}

/**
 * Fields 3 (state) and 22 (start time) of /proc/<pid>/stat, counted after the command name
 * (which may hold spaces and parentheses). Null where /proc cannot tell.
 */
export function readProcessStat(pid: number, proc = "/proc"): ProcessStat | null {
  let stat: string;
  try {
    stat = readFileSync(`${proc}/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  return { state: fields[0], startTicks: Number.isInteger(ticks) ? ticks : null };
}

/** A zombie or a dead process: its /proc entry lingers, but it holds no memory and no cgroup. */
export const hasExited = (stat: ProcessStat | null) => stat !== null && (stat.state === "Z" || stat.state === "X");
