import { readFileSync } from "node:fs";
import path from "node:path";
import type { CgroupMemory } from "./types";

/** cgroup v1 reports "no limit" as a huge page-aligned number near 2^63. */
const V1_UNLIMITED_FROM_BYTES = 2 ** 60;

export interface CgroupRoots {
  proc: string;
  cgroup: string;
}

const SYSTEM_ROOTS: CgroupRoots = { proc: "/proc", cgroup: "/sys/fs/cgroup" };

function readTrimmed(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
}

function readBytes(file: string): number | null {
  const text = readTrimmed(file);
  if (text === null || !/^\d+$/.test(text)) return null;
  return Number(text);
}

/** The memory cgroup of a process from /proc/<pid>/cgroup: v2 "0::/path" or v1 "N:memory:/path". */
export function memoryCgroupOf(cgroupFile: string): { version: 1 | 2; path: string } | null {
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

function hasFile(dir: string, file: string): boolean {
  return readTrimmed(path.join(dir, file)) !== null;
}

/** The process's cgroup is outside memsnap's view: reporting memsnap's own limit would be wrong. */
function notVisible(pid: number, cgroupPath: string, mount: string): Error {
  return new Error(
    `the memory cgroup ${cgroupPath} of process ${pid} is not visible under ${mount} ` +
      "(memsnap runs in another cgroup namespace: run it with the host's cgroup namespace, e.g. cgroup: host)",
  );
}

/**
 * The limit and usage of the memory cgroup a process runs in, or null when the
 * process has no memory cgroup. Paths are resolved in memsnap's own cgroup namespace;
 * a cgroup that does not resolve there is an error, never memsnap's own cgroup.
 */
export function readCgroupMemory(pid: number, roots: CgroupRoots = SYSTEM_ROOTS): CgroupMemory | null {
  const membership = readTrimmed(path.join(roots.proc, String(pid), "cgroup"));
  if (membership === null) return null;
  const cgroup = memoryCgroupOf(membership);
  if (cgroup === null) return null;
  if (cgroup.version === 2) {
    const dir = path.join(roots.cgroup, cgroup.path);
    if (!hasFile(dir, "memory.current")) throw notVisible(pid, cgroup.path, roots.cgroup);
    const max = readTrimmed(path.join(dir, "memory.max"));
    return {
      version: 2,
      path: cgroup.path,
      limitBytes: max === null || max === "max" ? null : readBytes(path.join(dir, "memory.max")),
      usageBytes: readBytes(path.join(dir, "memory.current")),
    };
  }
  const mount = path.join(roots.cgroup, "memory");
  const dir = path.join(mount, cgroup.path);
  if (!hasFile(dir, "memory.usage_in_bytes")) throw notVisible(pid, cgroup.path, mount);
  const limit = readBytes(path.join(dir, "memory.limit_in_bytes"));
  return {
    version: 1,
    path: cgroup.path,
    limitBytes: limit === null || limit >= V1_UNLIMITED_FROM_BYTES ? null : limit,
    usageBytes: readBytes(path.join(dir, "memory.usage_in_bytes")),
  };
}
