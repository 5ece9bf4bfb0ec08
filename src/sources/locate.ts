import { readdirSync, readFileSync } from "node:fs";

export class LocateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocateError";
  }
}

/** How a target names its process: a fixed pid, a pid file, or a name / command-line pattern. */
export type ProcessLocator = { pid: number } | { pidFile: string } | { pattern: string };

function pidFromFile(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new LocateError(`cannot read pid file ${file}: ${(err as Error).message}`);
  }
  if (!/^\d+$/.test(text) || Number(text) === 0) {
    throw new LocateError(`pid file ${file} holds ${JSON.stringify(text.slice(0, 20))}, not a process id`);
  }
  return Number(text);
}

interface ProcessEntry {
  pid: number;
  name: string;
  commandLine: string;
}

/**
 * Running user processes. Kernel threads and zombies (an exited process not yet reaped)
 * have an empty command line and are left out: neither is a database to measure.
 */
function listProcesses(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const dir of readdirSync("/proc")) {
    if (!/^\d+$/.test(dir)) continue;
    try {
      const commandLine = readFileSync(`/proc/${dir}/cmdline`, "utf8").split("\0").join(" ").trim();
      if (commandLine === "") continue;
      const name = readFileSync(`/proc/${dir}/comm`, "utf8").trim();
      entries.push({ pid: Number(dir), name, commandLine });
    } catch {
      continue;
    }
  }
  return entries;
}

/**
 * The one process whose name equals the pattern, or else whose command line matches it
 * as a regular expression. memsnap itself never matches. Re-resolved on every sample,
 * so a database restarted under a new pid is followed.
 */
function pidFromPattern(pattern: string): number {
  const processes = listProcesses().filter((p) => p.pid !== process.pid);
  let matches = processes.filter((p) => p.name === pattern);
  if (matches.length === 0) {
    const regex = new RegExp(pattern);
    matches = processes.filter((p) => regex.test(p.commandLine));
  }
  if (matches.length === 0) throw new LocateError(`no running process matches ${JSON.stringify(pattern)}`);
  if (matches.length > 1) {
    const candidates = matches.slice(0, 5).map((p) => `${p.pid} (${p.commandLine.slice(0, 60)})`);
    throw new LocateError(
      `${matches.length} processes match ${JSON.stringify(pattern)}: ${candidates.join(", ")}; use a narrower pattern or a pid file`,
    );
  }
  return matches[0].pid;
}

export function locateProcess(locator: ProcessLocator): number {
  if ("pid" in locator) return locator.pid;
  if ("pidFile" in locator) return pidFromFile(locator.pidFile);
  return pidFromPattern(locator.pattern);
}
