import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { OutboxEntry } from "../src/alerts/dispatcher";
import { evaluate, type AlertRules } from "../src/alerts/state";
import { AlertStore, STATE_FILE } from "../src/alerts/store";
import { createLogger } from "../src/log";
import { FIRING } from "./helpers/outbox";
import { scratchDir } from "./helpers/scratch";

const RULES: AlertRules = {
  forMs: (_code, severity) => (severity === "critical" ? 0 : 30_000),
  keepFiringSamples: 1,
  repeatIntervalMs: 3_600_000,
  sendResolved: true,
};
const FINDING = {
  severity: "critical" as const,
  code: "OverheadCritical",
  message: "overhead 150 %",
  value: 150,
  threshold: 100,
};

const scratch = scratchDir("alert-store");

function storeWithLog() {
  const dir = mkdtempSync(path.join(scratch, "store-"));
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { dir, lines, store: new AlertStore(dir, createLogger("info", sink)) };
}

describe("alert state file", () => {
  it("saves atomically and reloads the alerts of the targets still configured", async () => {
    const { dir, store } = storeWithLog();
    const a = evaluate(new Map(), "a", [FINDING], new Date("2025-01-01T00:00:00Z"), RULES).next;
    const ab = evaluate(a, "b", [FINDING], new Date("2025-01-01T00:00:01Z"), RULES).next;
    store.save({ book: ab, outbox: [] });
    await store.flush();
    const { book: reloaded } = await new AlertStore(dir, createLogger("silent")).load(["a"]);
    expect([...reloaded.keys()]).toEqual(["a/OverheadCritical"]);
    expect(reloaded.get("a/OverheadCritical")).toEqual(ab.get("a/OverheadCritical"));
    expect(JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8")).alerts).toHaveLength(2);
  });

  it.each([
    ["not JSON", "{"],
    ["another version", JSON.stringify({ version: 9, saved_at: "2025-01-01T00:00:00Z", alerts: [] })],
    [
      "a bad phase",
      JSON.stringify({ version: 1, saved_at: "2025-01-01T00:00:00Z", alerts: [{ target: "a", phase: "exploded" }] }),
    ],
  ])(
    "starts with no alert state from a file that is %s, says so, and replaces it at the next save",
    async (_, text) => {
      const { dir, lines, store } = storeWithLog();
      writeFileSync(path.join(dir, STATE_FILE), text);
      expect((await store.load(["a"])).book.size).toBe(0);
      expect(lines).toEqual([
        expect.objectContaining({
          level: "error",
          file: path.join(dir, STATE_FILE),
          msg: expect.stringContaining("not one memsnap wrote"),
        }),
      ]);
      store.save({ book: evaluate(new Map(), "a", [FINDING], new Date(), RULES).next, outbox: [] });
      await store.flush();
      expect(JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8")).version).toBe(2);
    },
  );

  it("writes the latest book when saves pile up", async () => {
    const { dir, store } = storeWithLog();
    let book = evaluate(new Map(), "a", [FINDING], new Date("2025-01-01T00:00:00Z"), RULES).next;
    for (let i = 1; i <= 5; i++) {
      book = evaluate(book, "a", [FINDING], new Date(Date.parse("2025-01-01T00:00:00Z") + i * 1000), RULES).next;
      store.save({ book, outbox: [] });
    }
    await store.flush();
    const saved = JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8"));
    expect(saved.alerts[0].activeSamples).toBe(6);
  });
});

const ENTRY: OutboxEntry = {
  id: "4f2b8c1e-0d7a-4c55-9a57-1f0e2d3c4b5a",
  channel: "slack",
  createdAt: "2025-03-01T10:00:05.000Z",
  attempts: 3,
  nextAttemptAt: "2025-03-01T10:00:20.000Z",
  lastError: "Slack answered 500: internal",
  notification: FIRING,
};

describe("the outbox in the alert state file", () => {
  it("keeps every undelivered notification in order across a reload, even of a target no longer watched", async () => {
    const { dir, store } = storeWithLog();
    const other = { ...ENTRY, id: "other", notification: { ...FIRING, target: "gone" } };
    const second = { ...ENTRY, id: "second", channel: "email" as const };
    store.save({ book: new Map(), outbox: [ENTRY, other, second] });
    await store.flush();
    const { outbox } = await new AlertStore(dir, createLogger("silent")).load(["prod-db"]);
    expect(outbox).toEqual([ENTRY, other, second]);
  });

  it("reads a version 1 file, written before the outbox, as one with nothing undelivered", async () => {
    const { dir, store } = storeWithLog();
    writeFileSync(
      path.join(dir, STATE_FILE),
      JSON.stringify({ version: 1, saved_at: "2025-01-01T00:00:00Z", alerts: [] }),
    );
    expect(await store.load(["a"])).toEqual({ book: new Map(), outbox: [] });
  });

  it("refuses an outbox entry of a channel memsnap does not know", async () => {
    const { dir, lines, store } = storeWithLog();
    const text = JSON.stringify({
      version: 2,
      saved_at: "2025-01-01T00:00:00Z",
      alerts: [],
      outbox: [{ ...ENTRY, channel: "pager" }],
    });
    writeFileSync(path.join(dir, STATE_FILE), text);
    expect((await store.load(["prod-db"])).outbox).toEqual([]);
    expect(lines[0]).toMatchObject({ level: "error", problem: expect.stringContaining("outbox.0.channel") });
  });
});

describe("a full disk under the data folder", () => {
  const mountPoint = mkdtempSync(path.join(os.tmpdir(), "memsnap-delivery-full-"));
  beforeAll(() => execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mountPoint]));
  afterAll(() => {
    execFileSync("umount", [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it("leaves the last state file whole and no temporary file behind, and says so", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const store = new AlertStore(mountPoint, createLogger("info", sink));
    store.save({ book: new Map(), outbox: [ENTRY] });
    await store.flush();
    const saved = readFileSync(path.join(mountPoint, STATE_FILE), "utf8");
    const filler = path.join(mountPoint, "filler");
    try {
      writeFileSync(filler, Buffer.alloc(64 * 1024));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe("ENOSPC");
    }
    const many = Array.from({ length: 40 }, (_, i) => ({ ...ENTRY, id: `entry-${i}` }));
    store.save({ book: new Map(), outbox: many });
    await store.flush();
    expect(lines).toEqual([
      expect.objectContaining({ level: "error", msg: expect.stringContaining("cannot write the alert state file") }),
    ]);
    expect(readdirSync(mountPoint).sort()).toEqual(["alerts-state.json", "filler"]);
    expect(readFileSync(path.join(mountPoint, STATE_FILE), "utf8")).toBe(saved);
  });
});
