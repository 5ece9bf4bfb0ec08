import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

const V1_MEMORY = "/sys/fs/cgroup/memory";
const V2_ROOT = "/sys/fs/cgroup";

/** Which memory cgroup hierarchy this machine lets a root test make cgroups in, if any. */
export function writableMemoryHierarchy(): { version: 1 | 2; mount: string } | null {
  if (process.getuid?.() !== 0) return null;
  if (existsSync(path.join(V1_MEMORY, "memory.usage_in_bytes")) || existsSync(path.join(V1_MEMORY, "tasks")))
    return { version: 1, mount: V1_MEMORY };
  const controllers = path.join(V2_ROOT, "cgroup.controllers");
  if (existsSync(controllers) && readFileSync(controllers, "utf8").split(/\s+/).includes("memory"))
    return { version: 2, mount: V2_ROOT };
  return null;
}

/**
 * A parent cgroup with a memory limit and a child without one, made under the machine's memory
 * hierarchy; `remove` takes both away (after their processes are gone).
 */
export class CgroupSandbox {
  readonly parent: string;
  readonly child: string;

  constructor(hierarchy: { version: 1 | 2; mount: string }, name: string, limitBytes: number) {
    this.parent = path.join(hierarchy.mount, name);
    this.child = path.join(this.parent, "child");
    mkdirSync(this.parent);
    if (hierarchy.version === 2) writeFileSync(path.join(this.parent, "cgroup.subtree_control"), "+memory");
    writeFileSync(
      path.join(this.parent, hierarchy.version === 2 ? "memory.max" : "memory.limit_in_bytes"),
      String(limitBytes),
    );
    mkdirSync(this.child);
  }

  /** Starts the grower fixture inside the child cgroup, from its first instruction on. */
  async startGrower(mbPerSecond: number, stopAfterMb = 0): Promise<Grower> {
    const script = path.join(__dirname, "../fixtures/grower.js");
    const procs = path.join(this.child, "cgroup.procs");
    const child = spawn(
      "sh",
      [
        "-c",
        `echo $$ > ${procs} && exec "$0" "$@"`,
        process.execPath,
        script,
        String(mbPerSecond),
        String(stopAfterMb),
      ],
      {
        stdio: "pipe",
      },
    );
    const grower = new Grower(child);
    await grower.expect("ready");
    return grower;
  }

  remove(): void {
    for (const dir of [this.child, this.parent]) if (existsSync(dir)) rmdirSync(dir);
  }
}

/** The grower fixture: a real process whose memory grows at a steady rate. */
export class Grower {
  private readonly lines: AsyncIterator<string>;
  /** When the process exited, and by which signal; null while it runs. */
  exit: { atMs: number; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<void>;

  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    this.exited = new Promise((resolve) =>
      child.once("exit", (_code, signal) => {
        this.exit = { atMs: Date.now(), signal };
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  async expect(line: string): Promise<void> {
    const next = await this.lines.next();
    if (next.done || next.value !== line)
      throw new Error(`grower said ${JSON.stringify(next.value)}, expected ${line}`);
  }

  async stop(): Promise<void> {
    if (this.exit === null) this.child.kill("SIGKILL");
    await this.exited;
  }
}
