/// <reference lib="dom" />
// The functions given to $$eval run in the browser.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { renderReport } from "../src/page/report";
import { compareSnapshots } from "../src/snapshot/compare";
import { openBrowser, watchProblems, type TestBrowser } from "./helpers/browser";
import { runCliAsync } from "./helpers/cli";
import { getJson, startTestDaemon, untilReady, type TestDaemon } from "./helpers/daemon";
import { scratchDir } from "./helpers/scratch";

jest.setTimeout(60_000);

describe("memsnap report: one HTML file that opens from disk with no network", () => {
  const workDir = scratchDir("page-report");
  const monitorDir = path.join(workDir, "monitor");
  let daemon: TestDaemon;
  let browser: TestBrowser;
  let monitorFiles: string[];

  beforeAll(async () => {
    daemon = await startTestDaemon();
    await untilReady(daemon);
    const monitor = await runCliAsync(["monitor", "--interval", "1", "--count", "3", "--output-dir", monitorDir], {
      VECTORIZER_API_URL: `${daemon.url}/api/v1`,
    });
    expect(monitor.status).toBe(0);
    monitorFiles = readdirSync(monitorDir).map((f) => path.join(monitorDir, f));
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  /** Opens a report from disk; every request but file:// is refused and recorded. */
  async function openOffline(file: string) {
    const page = await browser.context.newPage();
    const attempted: string[] = [];
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file://")) return route.continue();
      attempted.push(url);
      return route.abort();
    });
    const problems = watchProblems(page);
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector("#chart[data-points]");
    return { page, attempted, problems };
  }

  it("from three monitor files shows the three samples and their comparison, offline", async () => {
    const out = path.join(workDir, "three.html");
    const result = await runCliAsync(["report", ...monitorFiles, "-o", out]);
    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(result.stdout).toBe(`${out}: 3 samples of demo\n`);
    const snapshots = monitorFiles.map((f) => JSON.parse(readFileSync(f, "utf8")));
    const { page, attempted, problems } = await openOffline(out);

    const samples = await page.$$eval("#samples tbody tr", (trs) =>
      trs.map((tr) => (tr.children[2] as HTMLElement).dataset.bytes),
    );
    expect(samples).toEqual(snapshots.map((s) => String(s.process_info.physical_memory_bytes)));
    expect(await page.getAttribute("#chart", "data-points")).toBe("3");
    const comparison = compareSnapshots(snapshots[0], snapshots[2]);
    expect(await page.getAttribute("[data-health-change]", "data-health-change")).toBe(
      String(comparison.health.change),
    );
    const changed = await page.$$eval("[data-figure-change]", (trs) =>
      trs.map((tr) => (tr as HTMLElement).dataset.figureChange),
    );
    expect(changed).toEqual(comparison.figures.map((f) => `${f.section}.${f.figure}`));
    expect(await page.$$eval("#findings-over-time tbody tr", (trs) => trs.length)).toBeGreaterThan(0);
    expect(await page.textContent("[data-figure=rss_bytes]")).toMatch(/MB$/);

    expect(attempted).toEqual([]);
    expect(problems).toEqual([]);
    expect(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content")).toMatch(
      /^default-src 'none'; script-src 'sha256-[^;]+'; style-src 'sha256-/,
    );
    const linked = /\s(src|href)="[^"]*"/.exec(readFileSync(out, "utf8"));
    expect(linked).toBeNull();
    await page.close();
  });

  it("from a seed-shaped file: the same pictures, and attribution not available", async () => {
    const out = path.join(workDir, "seed.html");
    expect(
      (await runCliAsync(["report", path.join(__dirname, "fixtures/seed-example-snapshot.json"), "-o", out])).status,
    ).toBe(0);
    const { page, attempted, problems } = await openOffline(out);
    expect(await page.textContent("#attribution")).toContain("Attribution not available");
    expect(await page.$$eval("#collections-table tbody tr", (trs) => trs.length)).toBe(25);
    expect(await page.$("#comparison")).toBeNull();
    expect([attempted, problems]).toEqual([[], []]);
    await page.close();
  });

  it("from a daemon's history with --from", async () => {
    const out = path.join(workDir, "from.html");
    const result = await runCliAsync(["report", "--from", daemon.url, "-o", out]);
    expect(result.status).toBe(0);
    const count = Number(/: (\d+) samples? of demo\n$/.exec(result.stdout)![1]);
    const { body } = await getJson(`${daemon.url}/api/v1/memory-snapshot/history?limit=480`);
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(body.count);
    const { page, attempted, problems } = await openOffline(out);
    expect(await page.$$eval("#samples tbody tr", (trs) => trs.length)).toBe(count);
    expect(await page.getAttribute("#chart", "data-points")).toBe(String(count));
    expect([attempted, problems]).toEqual([[], []]);
    await page.close();
  });

  it("draws the attribution, every series of the history and the line to exhaustion, with no error", async () => {
    const MB = 1024 * 1024;
    const base = JSON.parse(readFileSync(monitorFiles[0], "utf8"));
    const start = Date.parse("2026-01-01T06:00:00Z");
    const snapshots = Array.from({ length: 8 }, (_, i) => {
      const rss = (1200 + 60 * i) * MB;
      const timestamp = new Date(start + i * 300_000).toISOString();
      return {
        ...base,
        timestamp,
        process_info: { ...base.process_info, physical_memory_bytes: rss },
        cgroup_info: {
          version: 2,
          path: "/db",
          limit_mb: 2048,
          usage_mb: null,
          usage_percent: null,
          limit_bytes: 2048 * MB,
          usage_bytes: null,
          working_set_bytes: rss - 50 * MB,
        },
        memory_attribution: {
          parts: [
            { part: "code", bytes: 100 * MB, source: "kernel smaps" },
            { part: "collections", bytes: 700 * MB, source: "database API" },
            { part: "unexplained", bytes: rss - 800 * MB, source: "arithmetic" },
          ],
        },
        trend: { ...base.trend, hours_until_memory_limit: (2048 - 1200 - 60 * i) / 720, memory_limit_scope: "cgroup" },
      };
    });
    const out = path.join(workDir, "attribution.html");
    writeFileSync(out, renderReport(snapshots, "a test", new Date()));
    const { page, attempted, problems } = await openOffline(out);
    expect(await page.$$eval("svg.stacked-bar rect", (rects) => rects.map((r) => r.getAttribute("class")))).toEqual([
      "part part-code",
      "part part-collections",
      "part part-unexplained",
    ]);
    expect(await page.getAttribute("#chart", "data-points")).toBe("8");
    const legend = await page.$$eval("#chart .u-legend .u-label", (labels) => labels.map((l) => l.textContent));
    expect(legend).toEqual(["Time (UTC)", "RSS (MB)", "Working set (MB)", "Unexplained (MB)", "cgroup limit (MB)"]);
    expect(await page.textContent("#history")).toContain("At this rate the cgroup limit is reached in");
    expect([attempted, problems]).toEqual([[], []]);
    await page.close();
  });

  it("refuses bad input with exit 2 and a clear message, writing nothing", async () => {
    const notSnapshot = path.join(workDir, "not-a-snapshot.json");
    writeFileSync(notSnapshot, '{"hello": "world"}');
    const existing = path.join(workDir, "existing.html");
    writeFileSync(existing, "keep me");
    const out = path.join(workDir, "never.html");
    const cases: Array<[string[], RegExp]> = [
      [["report", "-o", out], /give snapshot files \(such as monitor_\*\.json\) or --from URL/],
      [["report", monitorFiles[0]], /required option '-o, --output <file>'/],
      [["report", path.join(workDir, "missing.json"), "-o", out], /cannot read .*missing\.json: no such file/],
      [["report", notSnapshot, "-o", out], /not-a-snapshot\.json is not a memsnap snapshot nor a seed-shaped one/],
      [["report", monitorFiles[0], "-o", path.join(workDir, "report.txt")], /expected a file name ending in \.html/],
      [["report", monitorFiles[0], "--from", daemon.url, "-o", out], /not both/],
      [["report", "--from", "not a url", "-o", out], /expected the daemon's URL/],
      [
        ["report", "--from", "http://127.0.0.1:1", "-o", out],
        /cannot reach the memsnap daemon at http:\/\/127\.0\.0\.1:1/,
      ],
      [["report", "--from", daemon.url, "--target", "nope", "-o", out], /answered 404: no target named "nope"/],
      [["report", monitorFiles[0], "--target", "nope", "-o", out], /no file holds target nope; the files hold demo/],
      [["report", monitorFiles[0], "-o", existing], /already exists: choose another name, or add --force/],
    ];
    for (const [args, message] of cases) {
      const result = await runCliAsync(args);
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(existing, "utf8")).toBe("keep me");
    expect((await runCliAsync(["report", monitorFiles[0], "-o", existing, "--force"])).status).toBe(0);
    expect(readFileSync(existing, "utf8")).toMatch(/^<!doctype html>/);
    expect(readdirSync(workDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
