import { readFileSync } from "node:fs";
import { runCli, startServe } from "./helpers/cli";
import { waitFor } from "./helpers/daemon";

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("memsnap serve, the built binary", () => {
  it("starts on the demo target, says where it listens, and stops cleanly on SIGTERM within 5 s", async () => {
    const serve = await startServe({ MEMSNAP_DEMO_SCALE: "0.02", MEMSNAP_HOST: "127.0.0.1" });
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const snapshot = await waitFor(async () => {
      const response = await fetch(`${serve.url}/api/v1/memory-snapshot`);
      return response.status === 200 ? ((await response.json()) as { target: { pid: number } }) : undefined;
    }, "the first snapshot");
    const demoPid = snapshot.target.pid;
    expect(isRunning(demoPid)).toBe(true);
    expect(readFileSync(`/proc/${demoPid}/cmdline`, "utf8")).toContain("demo/server.js");

    const started = Date.now();
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(isRunning(demoPid)).toBe(false);
    expect(serve.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["watching target", "listening", "shutting down", "stopped"]),
    );
  });

  it("also stops on SIGINT (Ctrl-C)", async () => {
    const serve = await startServe({ MEMSNAP_TARGET: "none", MEMSNAP_TARGET_PID: String(process.pid) });
    serve.child.kill("SIGINT");
    expect(await serve.exited).toBe(0);
  });

  it("refuses a bad configuration with one line per problem and exit code 2", () => {
    const result = runCli(["serve"], { MEMSNAP_PORT: "http", MEMSNAP_TARGET: "mongo" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('MEMSNAP_PORT="http": expected a TCP port from 0 to 65535');
    expect(result.stderr).toContain('MEMSNAP_TARGET="mongo": expected one of demo, vectorizer, qdrant, chroma, none');
    expect(result.stdout).toBe("");
  });

  it("refuses an unknown flag with exit code 2", () => {
    const result = runCli(["serve", "--no-such-flag"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
  });

  it("fails clearly when the port is taken", async () => {
    const first = await startServe({ MEMSNAP_TARGET: "none", MEMSNAP_TARGET_PID: String(process.pid) });
    const port = new URL(first.url).port;
    const second = runCli(["serve"], {
      MEMSNAP_TARGET: "none",
      MEMSNAP_TARGET_PID: String(process.pid),
      MEMSNAP_PORT: port,
    });
    first.child.kill("SIGTERM");
    await first.exited;
    expect(second.status).toBe(1);
    expect(second.stdout).toContain("EADDRINUSE");
  });
});
