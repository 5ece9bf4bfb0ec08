import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";

/** The compiled demo server; the same path from src/ (tests) and from dist/. */
export const DEMO_SERVER_ENTRY = path.resolve(__dirname, "../../dist/demo/server.js");

export interface DemoProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

function waitForListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    const timer = setTimeout(() => reject(new Error(`the demo store did not start within ${STARTUP_TIMEOUT_MS} ms`)), STARTUP_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout! });
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
      reject(new Error(`the demo store exited with code ${code} before listening: ${stderr.trim()}`));
    });
  });
}

/** Starts the embedded demo vector store as a child process that never outlives memsnap. */
export async function launchDemo(scale: number | undefined): Promise<DemoProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, MEMSNAP_DEMO_HOST: "127.0.0.1", MEMSNAP_DEMO_PORT: "0" };
  if (scale !== undefined) env.MEMSNAP_DEMO_SCALE = String(scale);
  const child = spawn(process.execPath, [DEMO_SERVER_ENTRY], { env, stdio: ["ignore", "pipe", "pipe", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let url: string;
  try {
    url = await waitForListening(child);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
