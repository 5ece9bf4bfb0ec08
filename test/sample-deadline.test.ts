import { readFileSync } from "node:fs";
import path from "node:path";
import { FIXTURES, startFixtureServer, type FixtureServer } from "./helpers/fixture-server";
import { startServe, type ServeProcess } from "./helpers/cli";
import { getJson, waitFor } from "./helpers/daemon";

const COLLECTIONS = 40;
const ANSWER_DELAY_MS = 2500;
/** Every 5 s: the default deadline is two-thirds of it. */
const SCHEDULE = "*/5 * * * * *";
const DEADLINE_SECONDS = (5 * 2) / 3;
/** How long the daemon is watched once ready: at least two scheduled samples. */
const WATCH_MS = 12_000;

/** A Qdrant whose listing answers at once and each collection's details only after 2.5 s. */
function slowQdrant(): Promise<FixtureServer> {
  const detail = readFileSync(path.join(FIXTURES, "qdrant/1.15/collections/images.json"), "utf8");
  const names = Array.from({ length: COLLECTIONS }, (_, i) => ({ name: `c${String(i).padStart(2, "0")}` }));
  const listing = JSON.stringify({ result: { collections: names }, status: "ok", time: 0 });
  return startFixtureServer({
    slow: (request, response) => {
      const route = (request.url ?? "/").replace(/^\/+/, "");
      if (route === "collections") {
        response.writeHead(200, { "content-type": "application/json" });
        return void response.end(listing);
      }
      if (!route.startsWith("collections/")) {
        response.writeHead(404, { "content-type": "application/json" });
        return void response.end('{"status":{"error":"not found"}}');
      }
      const timer = setTimeout(() => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(detail);
      }, ANSWER_DELAY_MS);
      response.on("close", () => clearTimeout(timer));
    },
  });
}

describe("a database answering each collection in 2.5 s", () => {
  let database: FixtureServer;
  let daemon: ServeProcess;

  beforeAll(async () => {
    database = await slowQdrant();
    daemon = await startServe({
      MEMSNAP_TARGET: "qdrant",
      MEMSNAP_TARGET_URL: `${database.url}/slow`,
      MEMSNAP_TARGET_PID: String(process.pid),
      MEMSNAP_SCHEDULE: SCHEDULE,
      MEMSNAP_ALERTS: "off",
      MEMSNAP_HOST: "127.0.0.1",
    });
  });

  afterAll(async () => {
    daemon?.child.kill("SIGTERM");
    await daemon?.exited;
    await database?.close();
  });

  it("gets a partial snapshot within every sample's deadline, never skips one, and stays ready", async () => {
    await waitFor(
      async () => ((await fetch(`${daemon.url}/readyz`)).status === 200 ? true : undefined),
      "readiness",
      DEADLINE_SECONDS * 1000 + 3000,
    );
    const readiness: number[] = [];
    const watchUntil = Date.now() + WATCH_MS;
    while (Date.now() < watchUntil) {
      readiness.push((await fetch(`${daemon.url}/readyz`)).status);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(new Set(readiness)).toEqual(new Set([200]));

    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot/history?limit=20&detail=full`);
    const snapshots = body.snapshots as Array<{
      timestamp: string;
      sample_duration_seconds: number;
      errors: Array<{ message: string }>;
      collections_info: { total_collections: number };
    }>;
    expect(snapshots.length).toBeGreaterThanOrEqual(3);
    for (const snapshot of snapshots) {
      expect(snapshot.sample_duration_seconds).toBeLessThanOrEqual(DEADLINE_SECONDS);
      expect(snapshot.collections_info.total_collections).toBeLessThan(COLLECTIONS);
      const unread = snapshot.errors.find((e) =>
        /collections not read \(the sample deadline of \d\.\d s passed/.test(e.message),
      );
      expect(unread?.message).toMatch(/their figures are missing from this snapshot: "c\d\d"/);
    }
    const scheduled = snapshots
      .map((s) => Date.parse(s.timestamp))
      .filter((t) => new Date(t).getUTCSeconds() % 5 === 0);
    expect(scheduled.length).toBeGreaterThanOrEqual(snapshots.length - 1);
    const gaps = scheduled.slice(1).map((t, i) => t - scheduled[i]);
    expect(gaps.every((gap) => gap < 5000 * 1.5)).toBe(true);
  }, 40_000);

  it("writes every log line as JSON with the level by name", () => {
    expect(daemon.logs.length).toBeGreaterThan(0);
    for (const line of daemon.logs) expect(["trace", "debug", "info", "warn", "error", "fatal"]).toContain(line.level);
    expect(daemon.logs.find((line) => line.msg === "listening")).toMatchObject({ sample_deadline_ms: 3333 });
  });
});
