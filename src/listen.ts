import type { AddressInfo, Server } from "node:net";

/** Starts `server` on `host:port` (0: a free port); resolves with the address once bound, rejects when binding fails. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
