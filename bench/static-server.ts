/**
 * The benchmark's ceiling: a bare node:http server that answers every request with the same
 * bytes and headers (BENCH_BODY_FILE, BENCH_HEADERS as JSON), doing nothing else. Scraped like
 * memsnap, it shows how much of a figure is the machine and the load generator, and how much
 * is memsnap.
 *
 *   node dist-bench/bench/static-server.js   (env: BENCH_BODY_FILE, BENCH_HEADERS)
 *
 * Once listening it writes {"event":"listening","url":...} on stdout; it exits on SIGTERM or
 * when its parent's IPC channel closes.
 */
import { readFileSync } from "node:fs";
import { listenOnLoopback, runChild, serveAsChild } from "./child-server";

async function main(): Promise<void> {
  const body = readFileSync(process.env.BENCH_BODY_FILE ?? "");
  const headers = JSON.parse(process.env.BENCH_HEADERS ?? "{}") as Record<string, string>;
  serveAsChild(
    await listenOnLoopback((_, response) => {
      response.writeHead(200, headers);
      response.end(body);
    }),
  );
}

if (require.main === module) runChild("static server", main);
