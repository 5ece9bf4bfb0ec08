import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hasExited, readProcessStat } from "../src/sources/process-stat";
import { scratchDir } from "./helpers/scratch";

const proc = scratchDir("process-stat");

function fakeStat(pid: number, text: string): void {
  mkdirSync(path.join(proc, String(pid)), { recursive: true });
  writeFileSync(path.join(proc, String(pid), "stat"), text);
}

/** Fields after the command: state, ppid to tpgid, flags (field 9), 12 more, then the start time (field 22). */
const afterCommand = (state: string, startTicks: number, flags = 0x400100) =>
  `${state} 1 2 3 4 5 ${flags} ${Array.from({ length: 12 }, (_, i) => i + 1).join(" ")} ${startTicks} 0 0\n`;

describe("/proc/<pid>/stat", () => {
  it("reads the state and the start time after a command name holding spaces and parentheses", () => {
    fakeStat(7, `7 (my (odd) db) ${afterCommand("S", 123456)}`);
    expect(readProcessStat(7, proc)).toEqual({ state: "S", exiting: false, startTicks: 123456 });
  });

  it("tells a zombie, which has left its cgroup, from a live process", () => {
    fakeStat(8, `8 (qdrant) ${afterCommand("Z", 99)}`);
    expect(hasExited(readProcessStat(8, proc))).toBe(true);
    expect(hasExited(readProcessStat(7, proc))).toBe(false);
    expect(hasExited(null)).toBe(false);
  });

  it("tells a process that has started to exit (PF_EXITING, as an OOM kill sets it), which may show the root's cgroup while not yet a zombie", () => {
    fakeStat(10, `10 (grower) ${afterCommand("D", 99, 0x400104)}`);
    expect(readProcessStat(10, proc)).toEqual({ state: "D", exiting: true, startTicks: 99 });
    expect(hasExited(readProcessStat(10, proc))).toBe(true);
  });

  it("answers null for a process /proc does not know, and reads this very process", () => {
    expect(readProcessStat(9, proc)).toBeNull();
    const own = readProcessStat(process.pid);
    expect(own?.state).toMatch(/^[RS]$/);
    expect(own?.startTicks).toBeGreaterThan(0);
  });
});
