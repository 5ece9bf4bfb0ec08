import { readFileSync } from "node:fs";

/** The unit of the times in /proc/<pid>/stat: USER_HZ, 100 on every architecture Linux runs memsnap on. */
const USER_HZ = 100;
/** Readings kept for the next delta; a target restarted many times must not grow the map. */
const MAX_REMEMBERED_PROCESSES = 64;

interface CpuReading {
  cpuSeconds: number;
  atSeconds: number;
}

const previousReadings = new Map<number, CpuReading>();

/** utime + stime, and the start time since boot, of a process in seconds (proc(5), fields 14, 15, 22). */
function readCpuTimes(pid: number): { cpuSeconds: number; startSeconds: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return {
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / USER_HZ,
    startSeconds: Number(fields[19]) / USER_HZ,
  };
}

function uptimeSeconds(): number {
  return Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
}

function remember(pid: number, reading: CpuReading): void {
  previousReadings.delete(pid);
  previousReadings.set(pid, reading);
  const oldest = previousReadings.keys().next();
  if (previousReadings.size > MAX_REMEMBERED_PROCESSES && oldest.done !== true) previousReadings.delete(oldest.value);
}

/**
 * CPU use of a process in percent of one core, since the previous reading of the same process
 * (since it started, the first time). Two tiny /proc files read synchronously: through the
 * thread pool they would wait behind a busy event loop at every step.
 */
export function linuxCpuPercent(pid: number): number {
  const { cpuSeconds, startSeconds } = readCpuTimes(pid);
  const now = uptimeSeconds();
  const previous = previousReadings.get(pid) ?? { cpuSeconds: 0, atSeconds: startSeconds };
  remember(pid, { cpuSeconds, atSeconds: now });
  const elapsedSeconds = now - previous.atSeconds;
  return elapsedSeconds > 0 ? ((cpuSeconds - previous.cpuSeconds) / elapsedSeconds) * 100 : 0;
}
