import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

export interface HolderOptions {
  anonymousMb?: number;
  dataMb?: number;
  shmMb?: number;
  threads?: number;
  leakMbPerSecond?: number;
}

/**
 * A real python3 process holding known memory (test/fixtures/attribution-holder.py): anonymous
 * bytes, a memory-mapped data file under `dir` it has read, a /dev/shm segment and idle threads.
 */
export class Holder {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly files: string[],
  ) {}

  static async start(dir: string, name: string, options: HolderOptions = {}): Promise<Holder> {
    const data = path.join(dir, `${name}.data`);
    const shm = `memsnap-attribution-${name}-${process.pid}`;
    const args = [
      path.join(__dirname, "../fixtures/attribution-holder.py"),
      ["--data", data],
      ["--shm", shm],
      ["--anonymous-mb", String(options.anonymousMb ?? 150)],
      ["--data-mb", String(options.dataMb ?? 200)],
      ["--shm-mb", String(options.shmMb ?? 50)],
      ["--threads", String(options.threads ?? 8)],
      ["--leak-mb-per-second", String(options.leakMbPerSecond ?? 0)],
    ].flat();
    const child = spawn("python3", args, { stdio: "pipe" });
    const holder = new Holder(child, [data, `/dev/shm/${shm}`]);
    const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
    if (first.value !== "ready") {
      await holder.stop();
      throw new Error(`the holder process said ${JSON.stringify(first.value)} instead of ready`);
    }
    return holder;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Kills the process and removes its data file and shared memory segment. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill("SIGKILL");
      await exited;
    }
    for (const file of this.files) rmSync(file, { force: true });
  }
}
