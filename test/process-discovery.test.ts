import { execFileSync, spawn } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { locateProcess } from "../src/sources/locate";
import { ProcessNotFoundError, readProcessMemory } from "../src/sources/process";
import { FakeVectorizer, uniqueProcessName } from "./helpers/fake-database";
import { scratchDir } from "./helpers/scratch";
import { getJson, scrape, startTestDaemon, waitFor, type TestDaemon } from "./helpers/daemon";

const UP = 'memsnap_target_up{target="db"}';
const DOCS_VECTORS = 'memsnap_collection_vectors{target="db",collection="docs-sq8"}';

describe("a database found by its process name, killed and started again under a new pid", () => {
  const name = uniqueProcessName();
  const started: FakeVectorizer[] = [];
  let daemon: TestDaemon;
  const upSeen: number[] = [];

  const start = async (port?: number) => {
    const db = await FakeVectorizer.start(name, port);
    started.push(db);
    return db;
  };

  /** Waits for the daemon's own schedule (every second) to report `up` for the target. */
  const untilUp = async (up: 0 | 1) => {
    const metrics = await waitFor(async () => {
      const values = await scrape(daemon);
      return values.get(UP) === up ? values : undefined;
    }, `${UP} ${up}`);
    upSeen.push(up);
    return metrics;
  };

  beforeAll(async () => {
    const first = await start();
    daemon = await startTestDaemon({
      MEMSNAP_SCHEDULE: "* * * * * *",
      MEMSNAP_TARGET: "vectorizer",
      MEMSNAP_TARGET_NAME: "db",
      MEMSNAP_TARGET_PROCESS: name,
      MEMSNAP_TARGET_URL: first.url,
      MEMSNAP_TARGET_TIMEOUT_MS: "1000",
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await Promise.all(started.map((db) => db.kill()));
  });

  it("finds the process by its name and reads its collections", async () => {
    expect(readFileSync(`/proc/${started[0].pid}/comm`, "utf8").trim()).toBe(name);
    const metrics = await untilUp(1);
    expect(metrics.get(DOCS_VECTORS)).toBe(20_000);
    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot?target=db`);
    expect(body.target).toMatchObject({
      name: "db",
      kind: "vectorizer",
      pid: started[0].pid,
      up: true,
      server_version: "1.8.2",
    });
    expect(body.process_info.physical_memory_bytes).toBeGreaterThan(0);
  });

  it("reports the target down, without its collection series, when the process is killed", async () => {
    await started[0].kill();
    const metrics = await untilUp(0);
    expect([...metrics.keys()].filter((key) => key.includes('target="db",collection='))).toEqual([]);
    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot?target=db&fresh=true`);
    expect(body.target).toMatchObject({ pid: null, up: false });
    expect(body.errors).toContainEqual({
      source: "locate",
      message: `no running process matches ${JSON.stringify(name)}`,
    });
    expect(
      body.errors.some(
        (e: { source: string; message: string }) =>
          e.source === "vectorizer" && e.message.startsWith(`cannot reach ${started[0].url}/`),
      ),
    ).toBe(true);
    expect(body.findings[0]).toMatchObject({ severity: "critical", code: "TargetDown" });
  });

  it("follows the database restarted under a new pid, without a restart of memsnap", async () => {
    const second = await start(started[0].port);
    expect(second.pid).not.toBe(started[0].pid);
    const metrics = await untilUp(1);
    expect(metrics.get(DOCS_VECTORS)).toBe(20_000);
    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot?target=db`);
    expect(body.target).toMatchObject({ pid: second.pid, up: true });
    expect(upSeen).toEqual([1, 0, 1]);
  });

  it("refuses to guess between two processes of the same name, naming both", async () => {
    const twin = await start();
    await untilUp(0);
    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot?target=db`);
    const located = body.errors.find((e: { source: string }) => e.source === "locate");
    expect(located.message).toMatch(
      new RegExp(`^2 processes match "${name}": .*; use a narrower pattern or a pid file$`),
    );
    expect(located.message).toContain(`${started[1].pid} (`);
    expect(located.message).toContain(`${twin.pid} (`);
    await twin.kill();
    await untilUp(1);
  });
});

describe("a process that has exited but is not reaped (a zombie)", () => {
  const name = uniqueProcessName();
  let parent: ReturnType<typeof spawn>;
  let zombiePid: number;
  const dir = scratchDir("zombie");

  beforeAll(async () => {
    // A program named `name` (a link to sleep: the kernel names a process after the file it runs)
    // exits after a second, by when its parent `sh` has become `sleep 60`, which never reaps it
    // (exiting at once, it could be reaped by the shell before the exec).
    symlinkSync(execFileSync("sh", ["-c", "command -v sleep"], { encoding: "utf8" }).trim(), path.join(dir, name));
    parent = spawn("sh", ["-c", `"${dir}/${name}" 1 & echo $!; exec sleep 60`], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    zombiePid = Number((await createInterface({ input: parent.stdout! })[Symbol.asyncIterator]().next()).value);
    await waitFor(
      () => (/^State:\s+Z/m.test(readFileSync(`/proc/${zombiePid}/status`, "utf8")) ? true : undefined),
      "the zombie",
    );
    expect(readFileSync(`/proc/${zombiePid}/comm`, "utf8").trim()).toBe(name);
  });

  afterAll(() => {
    parent?.kill("SIGKILL");
  });

  it("is not running: its memory is not read as a live process's", async () => {
    await expect(readProcessMemory(zombiePid, [])).rejects.toThrow(new ProcessNotFoundError(zombiePid));
  });

  it("is never found by name", () => {
    expect(() => locateProcess({ pattern: name })).toThrow(`no running process matches ${JSON.stringify(name)}`);
  });
});
