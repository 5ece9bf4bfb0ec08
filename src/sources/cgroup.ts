import { readFileSync } from "node:fs";
import path from "node:path";
import type { CgroupMemory } from "./types";

/** cgroup v1 reports "no limit" as a huge page-aligned number near 2^63. */
const V1_UNLIMITED_FROM_BYTES = 2 ** 60;

export interface CgroupRoots {
  proc: string;
  cgroup: string;
}

/** Where a process's memory cgroup is: its version and its path under the hierarchy's root. */
export interface CgroupLocation {
  version: 1 | 2;
  path: string;
}

const SYSTEM_ROOTS: CgroupRoots = { proc: "/proc", cgroup: "/sys/fs/cgroup" };

/** The files each version keeps its figures in. */
const FILES = {
  1: { usage: "memory.usage_in_bytes", limit: "memory.limit_in_bytes", inactiveFile: "total_inactive_file" },
  2: { usage: "memory.current", limit: "memory.max", inactiveFile: "inactive_file" },
} as const;

function readTrimmed(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
}

/** A byte figure, or null for v1's near-2^63 "no limit". */
const limitOrNull = (value: number | undefined): number | null =>
  value === undefined || value >= V1_UNLIMITED_FROM_BYTES ? null : value;

/** A byte count; null for a missing file, "max" (v2) or v1's near-2^63 "no limit". */
function readLimitOrBytes(file: string): number | null {
  const text = readTrimmed(file);
  return text === null || !/^\d+$/.test(text) ? null : limitOrNull(Number(text));
}

/** "key value" lines (memory.stat, memory.events, memory.oom_control) into numbers. */
export function parseKeyValues(text: string | null): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of (text ?? "").split("\n")) {
    const match = /^(\w+)\s+(\d+)$/.exec(line.trim());
    if (match) fields.set(match[1], Number(match[2]));
  }
  return fields;
}

/** The memory cgroup of a process from /proc/<pid>/cgroup: v2 "0::/path" or v1 "N:memory:/path". */
export function memoryCgroupOf(cgroupFile: string): CgroupLocation | null {
  let v2: string | null = null;
  for (const line of cgroupFile.split("\n")) {
    const first = line.indexOf(":");
    const second = line.indexOf(":", first + 1);
    if (first < 0 || second < 0) continue;
    const controllers = line.slice(first + 1, second);
    const cgroupPath = line.slice(second + 1);
    if (controllers.split(",").includes("memory")) return { version: 1, path: cgroupPath };
    if (line.startsWith("0::")) v2 = cgroupPath;
  }
  return v2 === null ? null : { version: 2, path: v2 };
}

/** The process's cgroup is outside memsnap's view: reporting memsnap's own limit would be wrong. */
function notVisible(location: CgroupLocation, mount: string, pid?: number): Error {
  const whose = pid === undefined ? "" : ` of process ${pid}`;
  return new Error(
    `the memory cgroup ${location.path}${whose} is not visible under ${mount} ` +
      "(memsnap runs in another cgroup namespace: run it with the host's cgroup namespace, e.g. cgroup: host)",
  );
}

/** "/a/b" → ["/a/b", "/a", "/"]: the cgroup and its ancestors, leaf first. */
export function cgroupAncestors(cgroupPath: string): string[] {
  const parts = cgroupPath.split("/").filter((p) => p !== "");
  return parts.map((_, i) => `/${parts.slice(0, parts.length - i).join("/")}`).concat("/");
}

interface Level {
  path: string;
  limitBytes: number | null;
  softLimitBytes: number | null;
  usageBytes: number | null;
  workingSetBytes: number | null;
}

/** Usage − inactive file cache, never below 0 (the kubelet's working set). */
export function workingSetBytes(usageBytes: number | null, inactiveFileBytes: number | null): number | null {
  if (usageBytes === null) return null;
  return Math.max(0, usageBytes - (inactiveFileBytes ?? 0));
}

function readLevel(version: 1 | 2, mount: string, cgroupPath: string): Level {
  const dir = path.join(mount, cgroupPath);
  const files = FILES[version];
  const usageBytes = readLimitOrBytes(path.join(dir, files.usage));
  const stat = parseKeyValues(readTrimmed(path.join(dir, "memory.stat")));
  return {
    path: cgroupPath,
    limitBytes: readLimitOrBytes(path.join(dir, files.limit)),
    softLimitBytes: version === 2 ? readLimitOrBytes(path.join(dir, "memory.high")) : null,
    usageBytes,
    workingSetBytes: workingSetBytes(usageBytes, stat.get(files.inactiveFile) ?? null),
  };
}

/** Room left under a level's limit: the limit minus what the kernel holds against it. */
type LimitedLevel = Level & { limitBytes: number };

const headroom = (l: LimitedLevel) => l.limitBytes - (l.workingSetBytes ?? l.usageBytes ?? 0);

/**
 * The level whose limit is reached first. In v1, `hierarchical_memory_limit` also sees an
 * ancestor outside memsnap's view (a container's parent); that limit is held against the leaf.
 */
function tightest(levels: Level[], hierarchicalLimitBytes: number | null): Level | null {
  const limited = levels.filter((l): l is LimitedLevel => l.limitBytes !== null);
  const visibleMin = Math.min(...limited.map((l) => l.limitBytes));
  if (hierarchicalLimitBytes !== null && hierarchicalLimitBytes < visibleMin) {
    limited.push({
      ...levels[0],
      path: `${levels[0].path} (hierarchical_memory_limit)`,
      limitBytes: hierarchicalLimitBytes,
    });
  }
  if (limited.length === 0) return null;
  return limited.reduce((best, l) => (headroom(l) < headroom(best) ? l : best));
}

function oomKills(version: 1 | 2, leafDir: string): number | null {
  const file = version === 2 ? "memory.events" : "memory.oom_control";
  return parseKeyValues(readTrimmed(path.join(leafDir, file))).get("oom_kill") ?? null;
}

/**
 * The memory figures of a cgroup and its ancestors: the tightest limit up the hierarchy, the
 * working set held against it, the leaf's usage, working set and OOM kills. Paths are resolved
 * in memsnap's own cgroup namespace; a cgroup that does not resolve there is an error.
 */
export function readCgroupAt(location: CgroupLocation, roots: CgroupRoots = SYSTEM_ROOTS, pid?: number): CgroupMemory {
  const mount = location.version === 2 ? roots.cgroup : path.join(roots.cgroup, "memory");
  const leafDir = path.join(mount, location.path);
  if (readTrimmed(path.join(leafDir, FILES[location.version].usage)) === null) throw notVisible(location, mount, pid);
  const levels = cgroupAncestors(location.path).map((p) => readLevel(location.version, mount, p));
  const leafStat = parseKeyValues(readTrimmed(path.join(leafDir, "memory.stat")));
  const hierarchical = location.version === 1 ? limitOrNull(leafStat.get("hierarchical_memory_limit")) : null;
  const limit = tightest(levels, hierarchical);
  const softLimits = levels.map((l) => l.softLimitBytes).filter((b): b is number => b !== null);
  return {
    version: location.version,
    path: location.path,
    limitBytes: limit?.limitBytes ?? null,
    limitPath: limit?.path ?? null,
    limitWorkingSetBytes: limit === null ? null : (limit.workingSetBytes ?? limit.usageBytes),
    softLimitBytes: softLimits.length === 0 ? null : Math.min(...softLimits),
    usageBytes: levels[0].usageBytes,
    workingSetBytes: levels[0].workingSetBytes,
    oomKills: oomKills(location.version, leafDir),
  };
}

/** The memory cgroup a process runs in, from /proc/<pid>/cgroup; null when it has none. */
export function locateCgroup(pid: number, roots: CgroupRoots = SYSTEM_ROOTS): CgroupLocation | null {
  const membership = readTrimmed(path.join(roots.proc, String(pid), "cgroup"));
  return membership === null ? null : memoryCgroupOf(membership);
}

/** The memory cgroup figures of a process, or null when the process has no memory cgroup. */
export function readCgroupMemory(pid: number, roots: CgroupRoots = SYSTEM_ROOTS): CgroupMemory | null {
  const location = locateCgroup(pid, roots);
  return location === null ? null : readCgroupAt(location, roots, pid);
}
