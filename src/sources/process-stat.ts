import { readFileSync } from "node:fs";

/** The kernel's PF_EXITING task flag, set as a process starts to exit, before it leaves its cgroup. */
const PF_EXITING = 0x4;

/** What /proc/<pid>/stat says of a process's life: its state letter, whether it is exiting, when it started. */
export interface ProcessStat {
  /** R, S, D, … ; Z for a zombie (dead, not yet reaped: it has left its cgroup). */
  state: string;
  /** PF_EXITING is set (field 9): the process is on its way out and may already have left its cgroup. */
  exiting: boolean;
  /** When the process started, in clock ticks after boot (field 22). */
  startTicks: number | null;
}

/**
 * Fields 3 (state), 9 (flags) and 22 (start time) of /proc/<pid>/stat, counted after the command name
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
  const flags = Number(fields[6]);
  return {
    state: fields[0],
    exiting: Number.isInteger(flags) && (flags & PF_EXITING) !== 0,
    startTicks: Number.isInteger(ticks) ? ticks : null,
  };
}

/** A zombie, a dead or an exiting process: its /proc entry lingers, but its cgroup may already be the root's. */
export const hasExited = (stat: ProcessStat | null) =>
  stat !== null && (stat.exiting || stat.state === "Z" || stat.state === "X");
