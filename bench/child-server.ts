import http from "node:http";
import { listen } from "../src/listen";

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 and a free port. */
export async function listenOnLoopback(handler: http.RequestListener): Promise<LoopbackServer> {
  const server = http.createServer(handler);
  const { port } = await listen(server, 0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/**
 * Tells the parent (launchListeningChild) where the server listens, and closes it and exits on
 * SIGTERM, SIGINT, or when the parent's IPC channel closes.
 */
export function serveAsChild(server: LoopbackServer): void {
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  if (process.send !== undefined) process.once("disconnect", stop);
  process.stdout.write(`${JSON.stringify({ event: "listening", url: server.url })}\n`);
}

/** Runs `main` as a child's entry point: a failure is one line on stderr and exit code 1. */
export function runChild(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${name}: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
