import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { ProcessNotFoundError } from "../src/sources/process";
import { readSmaps, SmapsCadence } from "../src/sources/smaps";
import type { SourceError } from "../src/sources/types";

function sleeper(): ChildProcess {
  return spawn("sleep", ["60"], { stdio: "ignore" });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

describe("the smaps walk on its own cadence", () => {
  const children: ChildProcess[] = [];
  const start = () => {
    const child = sleeper();
    children.push(child);
    return child.pid!;
  };

  afterAll(async () => {
    await Promise.all(children.map(stop));
  });

  it("walks a real process: its mappings, its binary among them, and its one thread", async () => {
    const reading = await readSmaps(start());
    expect(reading.mappings.some((m) => m.path.endsWith("/sleep") && m.permissions.includes("x"))).toBe(true);
    expect(reading.mappings.reduce((sum, m) => sum + m.rssBytes, 0)).toBeGreaterThan(0);
    expect(reading.threads).toEqual({ threads: 1, stackPointers: [], unreadable: 0 });
  });

  it("keeps a walk for the interval, walks again after it, and at once for another process", async () => {
    const [first, second] = [start(), start()];
    const cadence = new SmapsCadence(60);
    const errors: SourceError[] = [];
    const walked = await cadence.reading(first, errors, 1_000_000);
    expect(await cadence.reading(first, errors, 1_059_999)).toBe(walked);
    const again = await cadence.reading(first, errors, 1_060_000);
    expect(again).not.toBe(walked);
    expect(again?.pid).toBe(first);
    const other = await cadence.reading(second, errors, 1_060_001);
    expect(other?.pid).toBe(second);
    expect(errors).toEqual([]);
  });

  it("reads nothing with the interval at 0", async () => {
    expect(await new SmapsCadence(0).reading(start(), [])).toBeNull();
  });

  it("says the process is gone when it has exited", async () => {
    const child = sleeper();
    const pid = child.pid!;
    await stop(child);
    await expect(new SmapsCadence(60).reading(pid, [])).rejects.toBeInstanceOf(ProcessNotFoundError);
  });
});
