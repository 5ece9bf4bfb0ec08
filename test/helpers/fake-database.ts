import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

/** A real process named like a database, answering the recorded Vectorizer fixtures. */
export class FakeVectorizer {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly port: number,
    /** When the process was spawned (Unix milliseconds). */
    readonly startedAtMs: number,
  ) {}

  /**
   * Starts a process whose /proc comm is `name`, on `port` (0: any free port), answering the
   * recorded fixtures or, with `collections`, that many synthetic collections.
   */
  static async start(name: string, port = 0, collections?: number): Promise<FakeVectorizer> {
    const script = path.join(__dirname, "../fixtures/fake-vectorizer.js");
    const args = [script, name, String(port), ...(collections === undefined ? [] : [String(collections)])];
    const startedAtMs = Date.now();
    const child = spawn(process.execPath, args, { stdio: "pipe" });
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`fake database exited with ${code}`))),
    );
    const listening = new Promise<number>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const match = /^listening (\d+)$/.exec(line);
        if (match) resolve(Number(match[1]));
      });
    });
    const boundPort = await Promise.race([listening, exited]);
    exited.catch(() => undefined);
    return new FakeVectorizer(child, boundPort, startedAtMs);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Kills the process (SIGKILL, as an OOM kill would) and waits until it is reaped. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await gone;
  }
}

/** A process name no other process on the machine has: at most 15 characters, the kernel's comm limit. */
export function uniqueProcessName(): string {
  return `msnap-${Math.random().toString(36).slice(2, 8)}`;
}
