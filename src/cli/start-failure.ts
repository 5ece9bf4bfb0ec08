import type { Config } from "../config/schema";

/** Why the daemon could not start, in plain words with what to do. */
export function describeStartFailure(err: unknown, config: Config): string {
  const { code, message } = err as NodeJS.ErrnoException;
  const where = `${config.host}:${config.port}`;
  switch (code) {
    case "EADDRINUSE":
      return `cannot listen on ${where}: the port is already in use by another process; stop that process or set MEMSNAP_PORT to a free port`;
    case "EADDRNOTAVAIL":
      return `cannot listen on ${where}: ${config.host} is not an address of this machine; set MEMSNAP_HOST to one of its addresses, such as 127.0.0.1`;
    case "EACCES":
      return `cannot listen on ${where}: not permitted (ports below 1024 need privileges); set MEMSNAP_PORT to a port above 1023`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return `cannot listen on ${where}: the host name ${config.host} does not resolve; set MEMSNAP_HOST to an address of this machine, such as 127.0.0.1`;
    default:
      return `cannot start: ${message}`;
  }
}
