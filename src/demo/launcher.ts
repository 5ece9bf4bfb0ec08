import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { PACKAGE_ROOT } from "../package-root";

/** The compiled demo server, wherever this module runs from. */
const DEMO_SERVER_ENTRY = path.join(PACKAGE_ROOT, "dist/demo/server.js");

/** A child process serving HTTP: where it listens, its pid, and how to stop it. */
export interface ListeningChild {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export type DemoProcess = ListeningChild;

const STARTUP_TIMEOUT_MS = 60_000;

function waitForListening(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdout = child.stdout;
    if (stdout === null) {
      reject(new Error(`${what} was started without a stdout pipe to announce where it listens`));
      return;
    }
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    const timer = setTimeout(
      () => reject(new Error(`${what} did not start within ${STARTUP_TIMEOUT_MS} ms`)),
      STARTUP_TIMEOUT_MS,
    );
    const lines = createInterface({ input: stdout });
    lines.on("line", (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === "listening" && typeof event.url === "string") {
          clearTimeout(timer);
          resolve(event.url);
        }
      } catch {
        return;
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with code ${code} before listening: ${stderr.trim()}`));
    });
  });
}

/**
 * Starts a Node script that writes {"event":"listening","url":...} on stdout once it serves,
 * and exits when its IPC channel closes, so it never outlives its parent.
 */
export async function launchListeningChild(
  entry: string,
  env: NodeJS.ProcessEnv,
  what: string,
): Promise<ListeningChild> {
  const child = spawn(process.execPath, [entry], { env, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let url: string;
  try {
    url = await waitForListening(child, what);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${what} announced ${url} but has no pid`);
  return {
    url,
    pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Starts the embedded demo vector store as a child process that never outlives memsnap. */
export function launchDemo(scale: number | undefined): Promise<DemoProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, MEMSNAP_DEMO_HOST: "127.0.0.1", MEMSNAP_DEMO_PORT: "0" };
  if (scale !== undefined) env.MEMSNAP_DEMO_SCALE = String(scale);
  return launchListeningChild(DEMO_SERVER_ENTRY, env, "the demo store");
}
