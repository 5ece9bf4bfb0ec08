import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { evaluate, type AlertRules } from "../src/alerts/state";
import { AlertStore, STATE_FILE } from "../src/alerts/store";
import { createLogger } from "../src/log";

const RULES: AlertRules = { forSamples: { critical: 0, warning: 2 }, keepFiringSamples: 1, repeatIntervalMs: 3_600_000, sendResolved: true };
const FINDING = { severity: "critical" as const, code: "OverheadCritical", message: "overhead 150 %", value: 150, threshold: 100 };

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function storeWithLog() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "memsnap-store-"));
  dirs.push(dir);
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
    store.save(ab);
    await store.flush();
    const reloaded = await new AlertStore(dir, createLogger("silent")).load(["a"]);
    expect([...reloaded.keys()]).toEqual(["a/OverheadCritical"]);
    expect(reloaded.get("a/OverheadCritical")).toEqual(ab.get("a/OverheadCritical"));
    expect(JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8")).alerts).toHaveLength(2);
  });

  it.each([
    ["not JSON", "{"],
    ["another version", JSON.stringify({ version: 9, saved_at: "2025-01-01T00:00:00Z", alerts: [] })],
    ["a bad phase", JSON.stringify({ version: 1, saved_at: "2025-01-01T00:00:00Z", alerts: [{ target: "a", phase: "exploded" }] })],
  ])("starts with no alert state from a file that is %s, says so, and replaces it at the next save", async (_, text) => {
    const { dir, lines, store } = storeWithLog();
    writeFileSync(path.join(dir, STATE_FILE), text);
    expect((await store.load(["a"])).size).toBe(0);
    expect(lines).toEqual([expect.objectContaining({ level: "error", file: path.join(dir, STATE_FILE), msg: expect.stringContaining("not one memsnap wrote") })]);
    store.save(evaluate(new Map(), "a", [FINDING], new Date(), RULES).next);
    await store.flush();
    expect(JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8")).version).toBe(1);
  });

  it("writes the latest book when saves pile up", async () => {
    const { dir, store } = storeWithLog();
    let book = evaluate(new Map(), "a", [FINDING], new Date("2025-01-01T00:00:00Z"), RULES).next;
    for (let i = 1; i <= 5; i++) {
      book = evaluate(book, "a", [FINDING], new Date(Date.parse("2025-01-01T00:00:00Z") + i * 1000), RULES).next;
      store.save(book);
    }
    await store.flush();
    const saved = JSON.parse(readFileSync(path.join(dir, STATE_FILE), "utf8"));
    expect(saved.alerts[0].activeSamples).toBe(6);
  });
});
