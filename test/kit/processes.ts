import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import path from "node:path";
import { waitFor } from "../helpers/daemon";
import { freeLoopbackPort } from "../helpers/listen";
import { repoRoot } from "./repo";
import { missingToolMessage } from "./tools";

/** A child process whose output is kept, to be shown when a test fails. */
class RunningProcess {
  private output = "";
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output += chunk.toString("utf8");
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
  }

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

async function startProcess(command: string, args: string[], options: SpawnOptions = {}): Promise<RunningProcess> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new Error(missingToolMessage(command)) : error),
    );
  });
  return new RunningProcess(command, child);
}

export interface ReadyServer {
  process: RunningProcess;
  url: string;
}

/**
 * Starts a server of the Prometheus family (prometheus, alertmanager) from the repository root on
 * a free port of 127.0.0.1, and waits until its /-/ready answers 200.
 */
export async function startReadyServer(
  command: string,
  args: (listenAddress: string) => string[],
): Promise<ReadyServer> {
  const listenAddress = `127.0.0.1:${await freeLoopbackPort()}`;
  const url = `http://${listenAddress}`;
  const server = await startProcess(command, args(listenAddress), { cwd: repoRoot });
  try {
    await waitFor(async () => {
      if (!server.running) throw new Error(`${command} exited:\n${server.log}`);
      return fetch(`${url}/-/ready`).then(
        (response) => (response.status === 200 ? true : undefined),
        () => undefined,
      );
    }, `${command} to be ready on ${url}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { process: server, url };
}

/** The prometheus binary with `configFile`, its TSDB under `workDir`, on a free port. */
export function startPrometheus(configFile: string, workDir: string): Promise<ReadyServer> {
  return startReadyServer("prometheus", (listenAddress) => [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${path.join(workDir, "tsdb")}`,
    `--web.listen-address=${listenAddress}`,
  ]);
}
