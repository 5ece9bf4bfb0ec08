import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import path from "node:path";
import { waitFor } from "./daemon";

/** The Chroma CLI of the npm `chromadb` devDependency: `chroma run` serves from this very process. */
const CHROMA_CLI = path.join(__dirname, "..", "..", "node_modules", "chromadb", "dist", "cli.mjs");

export interface ChromaServer {
  url: string;
  port: number;
  pid: number;
  /** Stops it with SIGTERM (after SIGINT Chroma 1.0 keeps spinning) and waits for the exit. */
  stop(): Promise<void>;
}

/** A port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

async function heartbeat(url: string): Promise<true | undefined> {
  try {
    return (await fetch(`${url}/api/v2/heartbeat`)).ok ? true : undefined;
  } catch {
    return undefined;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/** A real Chroma server persisting to `dataDir`, answering on 127.0.0.1:`port`. */
export async function startChroma(dataDir: string, port: number): Promise<ChromaServer> {
  const child = spawn(
    process.execPath,
    [CHROMA_CLI, "run", "--path", dataDir, "--host", "127.0.0.1", "--port", String(port)],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`chroma run exited with ${child.exitCode}: ${stderr}`);
        return heartbeat(url);
      },
      "the Chroma server's heartbeat",
      30000,
    );
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { url, port, pid: child.pid!, stop: () => stopChild(child) };
}
