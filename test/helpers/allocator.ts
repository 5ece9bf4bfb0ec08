import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

/** A real child process that allocates and touches memory when asked. */
export class Allocator {
  private readonly lines: AsyncIterator<string>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    this.lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }

  static async start(): Promise<Allocator> {
    const child = spawn(process.execPath, ["--expose-gc", path.join(__dirname, "../fixtures/allocator.js")], {
      stdio: "pipe",
    });
    const allocator = new Allocator(child);
    await allocator.expect("ready");
    return allocator;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async allocate(mb: number): Promise<void> {
    this.child.stdin.write(`${mb}\n`);
    await this.expect(`allocated ${mb}`);
  }

  /** Drops every allocation; the memory goes back to the system. */
  async free(): Promise<void> {
    this.child.stdin.write("free\n");
    await this.expect("freed");
  }

  private async expect(line: string): Promise<void> {
    const next = await this.lines.next();
    if (next.done || next.value !== line)
      throw new Error(`allocator said ${JSON.stringify(next.value)}, expected ${line}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }
}
