import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FolderWriteError, writeInside } from "../src/output/safe-write";
import { startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";
import { racingExportName, startLinkSwapper } from "./helpers/link-swapper";
import { scratchDir } from "./helpers/scratch";
import { mountTmpfs } from "./helpers/tmpfs";

function post(url: string, body: unknown) {
  return fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

const RACING_EXPORTS = 2000;
const CONCURRENCY = 16;

describe("exports while the output folder changes underneath", () => {
  const base = scratchDir("faults-race");
  const out = path.join(base, "out");
  const outside = path.join(base, "outside");
  let daemon: TestDaemon;

  beforeAll(async () => {
    mkdirSync(outside);
    daemon = await startTestDaemon({ MEMORY_OUTPUT_DIR: out });
    await untilReady(daemon);
  });

  afterAll(() => daemon?.stop());

  it(`writes no file outside the folder in ${RACING_EXPORTS} racing exports, and leaves no temporary file`, async () => {
    mkdirSync(out, { recursive: true });
    const swapper = startLinkSwapper(out, outside);
    const statuses = new Map<number, number>();
    let sent = 0;
    const worker = async () => {
      while (sent < RACING_EXPORTS) {
        const n = sent++;
        const response = await post(`${daemon.url}/api/v1/memory-snapshot/export`, {
          file_path: racingExportName(n),
          overwrite: n % 2 === 0,
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      await swapper.stop();
    }
    expect(filesUnder(outside)).toEqual([]);
    const everywhere = [...filesUnder(out), ...filesUnder(`${out}.moved`)];
    expect(everywhere.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(statuses.get(201)).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((status) => status >= 500 && status !== 503)).toEqual([]);
  }, 180_000);
});

describe("a folder the export cannot use", () => {
  const base = scratchDir("faults-folder");
  let daemon: TestDaemon;
  const unmount: Array<() => void> = [];

  afterAll(async () => {
    await daemon?.stop();
    unmount.forEach((undo) => undo());
  });

  async function exportTo(outputDir: string, file_path = "report.json") {
    await daemon?.stop();
    daemon = await startTestDaemon({ MEMORY_OUTPUT_DIR: outputDir });
    await untilReady(daemon);
    const response = await post(`${daemon.url}/api/v1/memory-snapshot/export`, { file_path });
    return {
      status: response.status,
      body: (await response.json()) as { error: string; code: string; details: Record<string, unknown> },
    };
  }

  it("answers 507 on a full disk and leaves no temporary file", async () => {
    const { dir: disk, unmount: undo } = mountTmpfs("faults-full", 64 * 1024);
    unmount.push(undo);
    writeFileSync(path.join(disk, "filler"), Buffer.alloc(60 * 1024));
    const { status, body } = await exportTo(disk);
    expect(status).toBe(507);
    expect(body).toMatchObject({ code: "disk_full", details: { file_path: "report.json" } });
    expect(body.error).toContain("free space");
    expect(filesUnder(disk)).toEqual(["filler"]);
  });

  it("answers 503 with what to do for a read-only folder", async () => {
    const { dir: disk, unmount: undo } = mountTmpfs("faults-readonly", 64 * 1024, ["ro"]);
    unmount.push(undo);
    const { status, body } = await exportTo(disk);
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: "folder_not_writable" });
    expect(body.error).toContain("writable");
  });

  it("answers 409 when the output folder is a file", async () => {
    const file = path.join(base, "a-file");
    writeFileSync(file, "not a folder");
    const { status, body } = await exportTo(path.join(file, "out"));
    expect(status).toBe(409);
    expect(body).toMatchObject({ code: "not_a_folder" });
  });
});

describe("the shared writer (exports and the alert state)", () => {
  it("throws a disk_full error and leaves no temporary file when the disk fills mid-write", async () => {
    const { dir: disk, unmount } = mountTmpfs("faults-writer", 64 * 1024);
    try {
      const write = writeInside(disk, "alerts-state.json", "x".repeat(200 * 1024), true);
      await expect(write).rejects.toBeInstanceOf(FolderWriteError);
      await expect(write).rejects.toMatchObject({ kind: "disk_full" });
      expect(filesUnder(disk)).toEqual([]);
    } finally {
      unmount();
    }
  });
});
