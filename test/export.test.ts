import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { loadConfig } from "../src/config/load";
import { createLogger } from "../src/log";
import { MetricsExporter } from "../src/metrics/exporter";
import { createApp } from "../src/server/app";
import { SnapshotHistory } from "../src/snapshot/history";
import { startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";
import { listenOnLoopback } from "./helpers/listen";
import { scratchDir } from "./helpers/scratch";

function post(url: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
}

/** Every file under a folder, relative, so a test can see that nothing was written. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

describe("POST /api/v1/memory-snapshot/export", () => {
  let daemon: TestDaemon;
  let exportUrl: string;
  const outside = scratchDir("outside");

  beforeAll(async () => {
    daemon = await startTestDaemon();
    exportUrl = `${daemon.url}/api/v1/memory-snapshot/export`;
    await untilReady(daemon);
  });

  afterAll(() => daemon?.stop());

  it("writes the latest snapshot under the output folder (created if missing) and answers 201", async () => {
    const response = await post(exportUrl, JSON.stringify({ file_path: "memory_report.json" }));
    expect(response.status).toBe(201);
    const body = await response.json();
    const file = path.join(daemon.outputDir, "memory_report.json");
    expect(body).toEqual({ file_path: file, bytes: readFileSync(file).length, timestamp: expect.any(String) });
    const written = JSON.parse(readFileSync(file, "utf8"));
    expect(written.timestamp).toBe(body.timestamp);
    expect(written.target.name).toBe("demo");
    expect(listFiles(daemon.outputDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses a subfolder with 400 and says to give a plain file name", async () => {
    const response = await post(exportUrl, JSON.stringify({ file_path: "daily/today.json" }));
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({ code: "subfolder", details: { file_path: "daily/today.json" } });
    expect(body.error).toContain("plain file name");
    expect(existsSync(path.join(daemon.outputDir, "daily"))).toBe(false);
  });

  it("replaces an existing file only with overwrite: true", async () => {
    await post(exportUrl, JSON.stringify({ file_path: "again.json" }));
    const before = listFiles(daemon.outputDir);
    const refused = await post(exportUrl, JSON.stringify({ file_path: "again.json" }));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "file_exists", details: { file_path: "again.json" } });
    expect(listFiles(daemon.outputDir)).toEqual(before);
    const replaced = await post(exportUrl, JSON.stringify({ file_path: "again.json", overwrite: true, fresh: true }));
    expect(replaced.status).toBe(201);
    const { timestamp } = (await replaced.json()) as { timestamp: string };
    expect(JSON.parse(readFileSync(path.join(daemon.outputDir, "again.json"), "utf8")).timestamp).toBe(timestamp);
  });

  describe("refuses bad input and writes nothing", () => {
    beforeAll(() => {
      mkdirSync(daemon.outputDir, { recursive: true });
      symlinkSync(outside, path.join(daemon.outputDir, "escape"));
      symlinkSync(path.join(outside, "victim.json"), path.join(daemon.outputDir, "link.json"));
      mkdirSync(path.join(daemon.outputDir, "folder.json"));
      writeFileSync(path.join(outside, "victim.json"), "untouched");
    });

    it.each([
      ["an absolute path", { file_path: path.join(outside, "x.json") }, 400, "absolute_path"],
      ["a path climbing out with ..", { file_path: "../x.json" }, 400, "path_traversal"],
      ["a .. hidden in the middle", { file_path: "a/../../x.json" }, 400, "path_traversal"],
      ["a Windows-style climb", { file_path: "..\\x.json" }, 400, "path_traversal"],
      ["a NUL byte", { file_path: "x\u0000.json" }, 400, "nul_byte"],
      ["a name that is not .json", { file_path: "report.txt" }, 400, "not_json"],
      ["a bare .json", { file_path: ".json" }, 400, "hidden_name"],
      ["an empty name", { file_path: "" }, 400, "empty_path"],
      ["a folder symlinked outside", { file_path: "escape/x.json" }, 400, "subfolder"],
      ["a link named like the file, without overwrite", { file_path: "link.json" }, 409, "file_exists"],
      ["a name too long for the file system", { file_path: `${"n".repeat(250)}.json` }, 400, "name_too_long"],
      ["a hidden name", { file_path: ".x.json" }, 400, "hidden_name"],
      ["the name of a folder", { file_path: "folder.json", overwrite: true }, 409, "not_a_file"],
      ["a missing file_path", {}, 400, "bad_body"],
      ["a number for file_path", { file_path: 7 }, 400, "bad_body"],
      ["a string for overwrite", { file_path: "y.json", overwrite: "yes" }, 400, "bad_body"],
      ["an unknown field", { file_path: "y.json", mode: "0777" }, 400, "bad_body"],
      ["an unknown target", { file_path: "y.json", target: "nope" }, 404, "unknown_target"],
    ])("%s", async (_what, body, status, code) => {
      const before = listFiles(daemon.outputDir);
      const response = await post(exportUrl, JSON.stringify(body));
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ code, error: expect.any(String), details: expect.any(Object) });
      expect(listFiles(daemon.outputDir)).toEqual(before);
      expect(listFiles(outside)).toEqual(["victim.json"]);
      expect(readFileSync(path.join(outside, "victim.json"), "utf8")).toBe("untouched");
    });

    it.each([
      ["malformed JSON", '{"file_path": ', {}, 400, "malformed_json"],
      ["a JSON array", '["x.json"]', {}, 400, "bad_body"],
      ["a JSON string", '"x.json"', {}, 400, "malformed_json"],
      [
        "a body over 64 KiB",
        JSON.stringify({ file_path: "big.json", pad: "x".repeat(70 * 1024) }),
        {},
        413,
        "body_too_large",
      ],
      [
        "a form body",
        "file_path=x.json",
        { "content-type": "application/x-www-form-urlencoded" },
        415,
        "unsupported_media_type",
      ],
    ])("%s", async (_what, raw, headers, status, code) => {
      const before = listFiles(daemon.outputDir);
      const response = await post(exportUrl, raw, headers);
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ code });
      expect(listFiles(daemon.outputDir)).toEqual(before);
    });
  });

  it("replaces a link named like the file with the file itself, never writing through it", async () => {
    const response = await post(exportUrl, JSON.stringify({ file_path: "link.json", overwrite: true }));
    expect(response.status).toBe(201);
    expect(lstatSync(path.join(daemon.outputDir, "link.json")).isFile()).toBe(true);
    expect(readFileSync(path.join(outside, "victim.json"), "utf8")).toBe("untouched");
  });
});

describe("write access", () => {
  const token = "s3cret-token-for-tests";
  let daemon: TestDaemon;

  beforeAll(async () => {
    daemon = await startTestDaemon({ MEMSNAP_API_TOKEN: token });
    await untilReady(daemon);
  });

  afterAll(() => daemon?.stop());

  it.each([
    ["no Authorization header", {}],
    ["a wrong token", { authorization: "Bearer wrong-token-wrong-token" }],
    ["a token without Bearer", { authorization: token }],
    ["a Bearer without a token", { authorization: "Bearer " }],
  ])("refuses %s with 401 and writes nothing", async (_what, headers) => {
    const response = await post(
      `${daemon.url}/api/v1/memory-snapshot/export`,
      JSON.stringify({ file_path: "t.json" }),
      headers,
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("Bearer");
    expect(await response.json()).toMatchObject({ code: "unauthorized" });
    expect(listFiles(daemon.outputDir)).toEqual([]);
  });

  it("accepts the right Bearer token", async () => {
    const response = await post(
      `${daemon.url}/api/v1/memory-snapshot/export`,
      JSON.stringify({ file_path: "t.json" }),
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(response.status).toBe(201);
  });

  it.each(["bearer", "BEARER", "Bearer"])("accepts the scheme spelt %s", async (scheme) => {
    const response = await post(
      `${daemon.url}/api/v1/memory-snapshot/export`,
      JSON.stringify({ file_path: `${scheme}.json` }),
      {
        authorization: `${scheme} ${token}`,
      },
    );
    expect(response.status).toBe(201);
  });

  it("keeps reads public", async () => {
    expect((await fetch(`${daemon.url}/api/v1/memory-snapshot`)).status).toBe(200);
  });
});

describe("an API bound beyond loopback without a token", () => {
  let server: Server;
  let url: string;
  const scratch = scratchDir("open");
  const outputDir = path.join(scratch, "out");

  beforeAll(async () => {
    // The configured host reads like loopback; what counts is the address the server bound.
    const config = loadConfig({ MEMSNAP_HOST: "127.0.0.1", MEMORY_OUTPUT_DIR: outputDir });
    const history = new SnapshotHistory(10);
    const app = createApp({
      config,
      log: createLogger("silent"),
      exporter: new MetricsExporter("test"),
      history,
      targetNames: ["demo"],
      isReady: () => true,
      sampleNow: () => Promise.reject(new Error("not sampled in this test")),
      boundAddress: () => "0.0.0.0",
    });
    const handle = app.callback();
    server = createServer((request, response) => void handle(request, response));
    url = `http://127.0.0.1:${await listenOnLoopback(server)}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("refuses writes with 403 and says how to enable them", async () => {
    const response = await post(`${url}/api/v1/memory-snapshot/export`, JSON.stringify({ file_path: "x.json" }));
    expect(response.status).toBe(403);
    const body = await response.json();
    expect(body).toMatchObject({ code: "writes_disabled" });
    expect(body.details).toMatchObject({ fix: expect.stringContaining("MEMSNAP_API_TOKEN"), listening_on: "0.0.0.0" });
    expect(existsSync(outputDir)).toBe(false);
  });

  it("still answers reads", async () => {
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
