import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { memoryCgroupOf, readCgroupMemory } from "../src/sources/cgroup";
import { scratchDir } from "./helpers/scratch";

const scratch = scratchDir("cgroup");

/** A /proc and /sys/fs/cgroup laid out as the kernel does, in a temporary folder. */
function fakeRoots(cgroupFile: string, files: Record<string, string>) {
  const root = mkdtempSync(path.join(scratch, "roots-"));
  const proc = path.join(root, "proc");
  const cgroup = path.join(root, "cgroup");
  mkdirSync(path.join(proc, "42"), { recursive: true });
  writeFileSync(path.join(proc, "42", "cgroup"), cgroupFile);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(cgroup, file)), { recursive: true });
    writeFileSync(path.join(cgroup, file), text);
  }
  return { proc, cgroup };
}

describe("the cgroup source", () => {
  it("finds the memory controller line of cgroup v1 and the unified line of v2", () => {
    expect(memoryCgroupOf("12:pids:/a\n4:memory:/docker/abc\n0::/\n")).toEqual({ version: 1, path: "/docker/abc" });
    expect(memoryCgroupOf("5:cpu,memory:/x\n")).toEqual({ version: 1, path: "/x" });
    expect(memoryCgroupOf("0::/system.slice/vectorizer.service\n")).toEqual({
      version: 2,
      path: "/system.slice/vectorizer.service",
    });
    expect(memoryCgroupOf("3:cpu:/a\n")).toBeNull();
  });

  it("reads a v2 limit and usage", () => {
    const roots = fakeRoots("0::/kubepods/pod1\n", {
      "kubepods/pod1/memory.max": "1073741824\n",
      "kubepods/pod1/memory.current": "536870912\n",
    });
    expect(readCgroupMemory(42, roots)).toMatchObject({
      version: 2,
      path: "/kubepods/pod1",
      limitBytes: 1073741824,
      usageBytes: 536870912,
    });
  });

  it("reads v2 'max' as no limit", () => {
    const roots = fakeRoots("0::/a\n", { "a/memory.max": "max\n", "a/memory.current": "100\n" });
    expect(readCgroupMemory(42, roots)).toMatchObject({ limitBytes: null, usageBytes: 100 });
  });

  it("reads the namespace root inside a container's own cgroup namespace", () => {
    const roots = fakeRoots("0::/\n", { "memory.max": "2048\n", "memory.current": "1024\n" });
    expect(readCgroupMemory(42, roots)).toMatchObject({ version: 2, limitBytes: 2048, usageBytes: 1024 });
  });

  it("refuses to report memsnap's own cgroup for a database whose cgroup it cannot see", () => {
    const roots = fakeRoots("0::/../other-container\n", { "memory.max": "2048\n", "memory.current": "1024\n" });
    expect(() => readCgroupMemory(42, roots)).toThrow(/not visible .* cgroup: host/);
    const v1 = fakeRoots("4:memory:/docker/db\n", { "memory/memory.usage_in_bytes": "1\n" });
    expect(() => readCgroupMemory(42, v1)).toThrow("the memory cgroup /docker/db of process 42 is not visible");
  });

  it("reads v1, where 'no limit' is a number near 2^63", () => {
    const limited = fakeRoots("4:memory:/docker/abc\n", {
      "memory/docker/abc/memory.limit_in_bytes": "536870912\n",
      "memory/docker/abc/memory.usage_in_bytes": "1000\n",
    });
    expect(readCgroupMemory(42, limited)).toMatchObject({
      version: 1,
      path: "/docker/abc",
      limitBytes: 536870912,
      usageBytes: 1000,
    });
    const unlimited = fakeRoots("4:memory:/\n", {
      "memory/memory.limit_in_bytes": "9223372036854771712\n",
      "memory/memory.usage_in_bytes": "1000\n",
    });
    expect(readCgroupMemory(42, unlimited)).toMatchObject({ limitBytes: null, usageBytes: 1000 });
  });

  it("finds the tightest v2 limit up the hierarchy, the soft line, the working sets and the OOM kills", () => {
    const roots = fakeRoots("0::/kubepods/pod1/db\n", {
      "kubepods/memory.max": "8589934592\n",
      "kubepods/memory.current": "2147483648\n",
      "kubepods/pod1/memory.max": "1073741824\n",
      "kubepods/pod1/memory.high": "966367641\n",
      "kubepods/pod1/memory.current": "700000000\n",
      "kubepods/pod1/memory.stat": "anon 400000000\ninactive_file 200000000\nactive_file 100000000\n",
      "kubepods/pod1/db/memory.max": "max\n",
      "kubepods/pod1/db/memory.high": "max\n",
      "kubepods/pod1/db/memory.current": "635000000\n",
      "kubepods/pod1/db/memory.stat": "anon 300000000\ninactive_file 316000000\n",
      "kubepods/pod1/db/memory.events": "low 0\nhigh 3\nmax 12\noom 2\noom_kill 2\noom_group_kill 0\n",
    });
    expect(readCgroupMemory(42, roots)).toEqual({
      version: 2,
      path: "/kubepods/pod1/db",
      limitBytes: 1073741824,
      limitPath: "/kubepods/pod1",
      limitWorkingSetBytes: 500000000,
      softLimitBytes: 966367641,
      usageBytes: 635000000,
      workingSetBytes: 319000000,
      oomKills: 2,
    });
  });

  it("takes the limit with the least room left, not the smallest, when a parent is fuller than its child", () => {
    const roots = fakeRoots("0::/a/b\n", {
      "a/memory.max": "1000\n",
      "a/memory.current": "990\n",
      "a/b/memory.max": "500\n",
      "a/b/memory.current": "100\n",
    });
    expect(readCgroupMemory(42, roots)).toMatchObject({ limitBytes: 1000, limitPath: "/a", limitWorkingSetBytes: 990 });
  });

  it("reads v1's hierarchical limit, walking the visible ancestors for the cgroup that sets it", () => {
    const roots = fakeRoots("4:memory:/parent/child\n", {
      "memory/parent/memory.limit_in_bytes": "314572800\n",
      "memory/parent/memory.usage_in_bytes": "104857600\n",
      "memory/parent/memory.stat": "total_inactive_file 4857600\nhierarchical_memory_limit 314572800\n",
      "memory/parent/child/memory.limit_in_bytes": "9223372036854771712\n",
      "memory/parent/child/memory.usage_in_bytes": "104857600\n",
      "memory/parent/child/memory.stat": "total_inactive_file 4857600\nhierarchical_memory_limit 314572800\n",
      "memory/parent/child/memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
    });
    expect(readCgroupMemory(42, roots)).toEqual({
      version: 1,
      path: "/parent/child",
      limitBytes: 314572800,
      limitPath: "/parent",
      limitWorkingSetBytes: 100000000,
      softLimitBytes: null,
      usageBytes: 104857600,
      workingSetBytes: 100000000,
      oomKills: 1,
    });
  });

  it("holds v1's hierarchical limit against the leaf when the ancestor that sets it is out of view", () => {
    const roots = fakeRoots("4:memory:/\n", {
      "memory/memory.limit_in_bytes": "9223372036854771712\n",
      "memory/memory.usage_in_bytes": "2000\n",
      "memory/memory.stat": "total_inactive_file 500\nhierarchical_memory_limit 4096\n",
    });
    expect(readCgroupMemory(42, roots)).toMatchObject({
      limitBytes: 4096,
      limitWorkingSetBytes: 1500,
      workingSetBytes: 1500,
    });
  });

  it("answers null for a process without a memory cgroup", () => {
    expect(readCgroupMemory(42, fakeRoots("3:cpu:/a\n", {}))).toBeNull();
    expect(readCgroupMemory(43, fakeRoots("0::/\n", {}))).toBeNull();
  });

  it("reads this very process's cgroup on this machine", () => {
    const cgroup = readCgroupMemory(process.pid);
    expect(cgroup).not.toBeNull();
    expect(cgroup!.usageBytes).toBeGreaterThan(0);
  });
});
