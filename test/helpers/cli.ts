import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { PACKAGE_ROOT } from "../../src/package-root";

export const CLI = path.join(PACKAGE_ROOT, "dist/cli/main.js");

/** Runs the built `memsnap` binary to completion. */
export function runCli(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 60_000,
    cwd,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  logs: Array<Record<string, unknown>>;
  /** Everything written to stderr so far. */
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts `memsnap serve` as a user would and waits for its "listening" log line. */
export function startServe(env: Record<string, string>, args: string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, "serve", ...args], {
    env: { ...process.env, MEMSNAP_PORT: "0", ...env },
  });
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (entry.msg === "listening") resolve({ child, url: entry.url as string, logs, stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`memsnap serve exited with ${code} before listening: ${stderr}`)));
  });
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the built binary without blocking this process, so that an in-process daemon can answer it. */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, cwd });
}

/**
 * Runs the built binary to completion without blocking this process, for commands that
 * talk to servers the test itself runs.
 */
export function runCliAsync(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<CliResult> {
  const child = spawnCli(args, env, cwd);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once("close", (status) => resolve({ status, stdout, stderr })));
}
