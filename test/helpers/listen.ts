import { createServer, type Server } from "node:net";
import { listen } from "../../src/listen";

/** Starts `server` on 127.0.0.1 and `port` (a free one by default); resolves with the port. */
export async function listenOnLoopback(server: Server, port = 0): Promise<number> {
  return (await listen(server, port, "127.0.0.1")).port;
}

/** A TCP port on 127.0.0.1 that was free a moment ago: connecting to it is refused, a server may bind it. */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  const port = await listenOnLoopback(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
