/// <reference lib="dom" />
// The functions given to page.evaluate and $$eval run in the browser.
import { readFileSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import path from "node:path";
import type { Page } from "playwright-core";
import { bytesText } from "../src/page/html";
import { PACKAGE_ROOT } from "../src/package-root";
import { openBrowser, scrollsSideways, watchProblems, type TestBrowser } from "./helpers/browser";
import { getJson, startTestDaemon, untilReady, waitFor, type TestDaemon } from "./helpers/daemon";
import { scratchDir } from "./helpers/scratch";

jest.setTimeout(60_000);

const MAX_PAGE_BYTES = 200 * 1024;

/**
 * The snapshot of `target` taken at `timestamp`, from the daemon's history (in full: the default
 * answer summarises each snapshot), and how many snapshots the history held up to it.
 */
async function snapshotAt(daemon: TestDaemon, target: string, timestamp: string) {
  const { body: summaries } = await getJson(`${daemon.url}/api/v1/memory-snapshot/history?target=${target}&limit=480`);
  const index = (summaries.snapshots as any[]).findIndex((s) => s.timestamp === timestamp);
  if (index < 0) throw new Error(`no snapshot of ${target} at ${timestamp} in the history`);
  const { body: full } = await getJson(
    `${daemon.url}/api/v1/memory-snapshot/history?target=${target}&detail=full&limit=60`,
  );
  return { snapshot: (full.snapshots as any[]).find((s) => s.timestamp === timestamp), historyPoints: index + 1 };
}

/** The status of a GET with If-None-Match, through node:http: fetch adds Cache-Control: no-cache to such requests. */
function statusWithTag(url: string, etag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { "If-None-Match": etag } }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    }).on("error", reject);
  });
}

const shownTimestamp = (page: Page) => page.getAttribute("[data-timestamp]", "data-timestamp") as Promise<string>;

/** Every headline figure as the page shows it: exact value and text. */
function shownFigures(page: Page) {
  return page.$$eval("[data-figure]", (cells) =>
    Object.fromEntries(
      cells.map((c) => [
        (c as HTMLElement).dataset.figure!,
        { value: (c as HTMLElement).dataset.value!, text: c.textContent },
      ]),
    ),
  );
}

function expectedFigures(s: any) {
  const limit = s.cgroup_info?.limit_bytes ?? s.system_info.total_memory_bytes;
  const bytes = (v: number | null) => ({ value: v === null ? "" : String(v), text: bytesText(v) });
  return {
    rss_bytes: bytes(s.process_info.physical_memory_bytes),
    limit_bytes: bytes(limit),
    unaccounted_bytes: bytes(s.discrepancy_analysis.unaccounted_memory_bytes),
    actual_bytes: bytes(s.collections_info.actual_memory_bytes),
    health_score: { value: String(s.health.score), text: `${s.health.score} / 100` },
    collections: {
      value: String(s.collections_info.total_collections),
      text: String(s.collections_info.total_collections),
    },
  };
}

/** The attribution's bar and table against the snapshot's parts, or the word that there is none. */
async function expectAttributionEqualsJson(page: Page, snapshot: any): Promise<void> {
  const parts: Array<{ part: string; bytes: number }> = snapshot.memory_attribution?.parts ?? [];
  if (parts.length === 0) {
    expect(await page.getAttribute("#attribution", "data-attribution")).toBe("absent");
    expect(await page.textContent("#attribution")).toContain("Attribution not available");
    return;
  }
  expect(await page.getAttribute("#attribution", "data-attribution")).toBe("present");
  const rows = await page.$$eval("#attribution tbody tr", (trs) =>
    trs.map((tr) => ({
      part: (tr as HTMLElement).dataset.part,
      bytes: Number((tr.children[1] as HTMLElement).dataset.bytes),
    })),
  );
  expect(rows).toEqual(parts.map((p) => ({ part: p.part, bytes: p.bytes })));
  expect(await page.$$eval("svg.stacked-bar rect", (rects) => rects.length)).toBe(parts.length);
}

/** The page's figures, collections, findings, attribution and chart against the JSON snapshot it shows. */
async function expectPageEqualsJson(page: Page, daemon: TestDaemon, target: string): Promise<number> {
  const timestamp = await shownTimestamp(page);
  const { snapshot, historyPoints } = await snapshotAt(daemon, target, timestamp);
  expect(await page.textContent(".when strong")).toBe(target);
  expect(await shownFigures(page)).toEqual(expectedFigures(snapshot));
  const rows = await page.$$eval("#collections-table tbody tr", (trs) =>
    trs.map((tr) => [...(tr as HTMLTableRowElement).cells].map((td) => td.dataset.sort)),
  );
  const fromJson = snapshot.collections_info.collections_detail.map((c: any) => [
    c.name,
    String(c.vector_count),
    String(c.dimension),
    c.quantization,
    String(c.estimated_memory_bytes),
    c.expected_bytes === undefined ? "" : String(c.expected_bytes),
    c.actual_memory_bytes === null ? "" : String(c.actual_memory_bytes),
  ]);
  expect([...rows].sort()).toEqual([...fromJson].sort());
  expect(
    await page.$$eval("#findings li[data-code]", (lis) => lis.map((li) => (li as HTMLElement).dataset.code)),
  ).toEqual(snapshot.findings.map((f: any) => f.code));
  expect(
    await page.$$eval("[data-deduction]", (trs) => trs.map((tr) => (tr as HTMLElement).dataset.deduction)),
  ).toEqual(snapshot.health.deductions.map((d: any) => d.code));
  await expectAttributionEqualsJson(page, snapshot);
  await page.waitForSelector("#chart[data-points]");
  expect(Number(await page.getAttribute("#chart", "data-points"))).toBe(historyPoints);
  return historyPoints;
}

describe("the page at GET /, in Debian's chromium", () => {
  const configDir = scratchDir("page");
  let daemon: TestDaemon;
  let browser: TestBrowser;

  beforeAll(async () => {
    const file = path.join(configDir, "memsnap.yaml");
    writeFileSync(
      file,
      [
        "targets:",
        "  - {name: demo-a, kind: demo, scale: 0.02}",
        "  - {name: demo-b, kind: demo, scale: 0.03}",
        "",
      ].join("\n"),
    );
    // The small demos hold about 50 MB beyond their collections: below the overhead findings' floor, unless it is 0.
    daemon = await startTestDaemon({ MEMSNAP_SCHEDULE: "* * * * * *", MEMSNAP_OVERHEAD_MIN_MB: "0" }, file);
    await untilReady(daemon);
    browser = await openBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await daemon?.stop();
  });

  it("loads with no console error, no failed request, nothing from elsewhere, under 200 KB", async () => {
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    const loaded: Array<{ url: string; bytes: number }> = [];
    page.on("response", async (r) =>
      loaded.push({ url: r.url(), bytes: (await r.body().catch(() => Buffer.alloc(0))).length }),
    );
    const response = await page.goto(daemon.url);
    await page.waitForSelector("#chart[data-points]");
    await page.waitForLoadState("networkidle");
    expect(response!.headers()["content-security-policy"]).toMatch(
      /default-src 'none'; script-src 'self'; style-src 'self'/,
    );
    expect(problems).toEqual([]);
    expect(loaded.map((r) => new URL(r.url).origin).filter((o) => o !== daemon.url)).toEqual([]);
    expect(loaded.map((r) => new URL(r.url).pathname)).toEqual(
      expect.arrayContaining(["/", "/assets/uPlot.min.js", "/assets/page.js", "/assets/page.css"]),
    );
    expect(loaded.reduce((sum, r) => sum + r.bytes, 0)).toBeLessThan(MAX_PAGE_BYTES);
    await page.close();
  });

  it("shows the figures and the attribution of the JSON snapshot, and a chart point per snapshot of the history", async () => {
    const page = await browser.context.newPage();
    await page.goto(daemon.url);
    await expectPageEqualsJson(page, daemon, "demo-a");
    await page.close();
  });

  it("shows the new figures after the next sample, without a reload", async () => {
    const page = await browser.context.newPage();
    await page.goto(daemon.url);
    const before = await shownTimestamp(page);
    const pointsBefore = await expectPageEqualsJson(page, daemon, "demo-a");
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    await page.waitForFunction(
      (t) => document.querySelector<HTMLElement>("[data-timestamp]")?.dataset.timestamp !== t,
      before,
      { timeout: 20_000 },
    );
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await expectPageEqualsJson(page, daemon, "demo-a")).toBeGreaterThan(pointsBefore);
    await page.close();
  });

  it("switches target through the selector", async () => {
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    await page.goto(daemon.url);
    expect(await page.$$eval("nav.targets a", (as) => as.map((a) => a.textContent))).toEqual(["demo-a", "demo-b"]);
    expect(await page.textContent("nav.targets a[aria-current=page]")).toBe("demo-a");
    await Promise.all([page.waitForURL(/\?target=demo-b$/), page.click("nav.targets a >> text=demo-b")]);
    expect(await page.textContent("nav.targets a[aria-current=page]")).toBe("demo-b");
    await expectPageEqualsJson(page, daemon, "demo-b");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the alert states of GET /api/v1/alerts for the target", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${daemon.url}/?target=demo-b`);
    await waitFor(async () => {
      const { body } = await getJson(`${daemon.url}/api/v1/alerts?target=demo-b`);
      const expected = body.alerts
        .filter((a: any) => a.state !== "inactive")
        .map((a: any) => `${a.alertname} ${a.state}`);
      await page.reload();
      const shown = await page.$$eval("[data-alert]", (trs) =>
        trs.map((tr) => `${(tr as HTMLElement).dataset.alert} ${tr.children[2].textContent}`),
      );
      return JSON.stringify(shown) === JSON.stringify(expected) && expected.length > 0 ? true : undefined;
    }, "the page's alerts to equal the JSON's");
    await page.close();
  });

  it("sorts the collections table by a column, both ways", async () => {
    const page = await browser.context.newPage();
    await page.goto(daemon.url);
    const vectors = () =>
      page.$$eval("#collections-table tbody tr", (trs) =>
        trs.map((tr) => Number((tr as HTMLTableRowElement).cells[1].dataset.sort)),
      );
    await page.click("button.sort[data-column='1']");
    const descending = await vectors();
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    await page.click("button.sort[data-column='1']");
    const ascending = await vectors();
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    expect(await page.getAttribute("#collections-table th:nth-child(2)", "aria-sort")).toBe("ascending");
    await page.close();
  });

  it("has no sideways scroll at 390 and 1280 px wide, in light and in dark", async () => {
    const page = await browser.context.newPage();
    const problems = watchProblems(page);
    const backgrounds = new Set<string>();
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const width of [390, 1280]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(daemon.url);
        await page.waitForSelector("#chart[data-points]");
        expect({ colorScheme, width, sideways: await scrollsSideways(page) }).toEqual({
          colorScheme,
          width,
          sideways: false,
        });
        backgrounds.add(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
      }
    }
    expect(backgrounds.size).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("renders the main figures on the server, with no inline script or style", async () => {
    const response = await fetch(`${daemon.url}/?target=demo-b`);
    const text = await response.text();
    const timestamp = /data-timestamp="([^"]+)"/.exec(text)![1];
    const { snapshot } = await snapshotAt(daemon, "demo-b", timestamp);
    const rss = new RegExp(`data-figure="rss_bytes" data-value="(\\d+)">([^<]+)<`).exec(text)!;
    expect([Number(rss[1]), rss[2]]).toEqual([
      snapshot.process_info.physical_memory_bytes,
      bytesText(snapshot.process_info.physical_memory_bytes),
    ]);
    expect(text).not.toMatch(/<script(?![^>]*\bsrc=)(?![^>]*type="application\/json")[^>]*>/);
    expect(text).not.toMatch(/\sstyle=/);
  });

  it("answers an unknown target with a page naming the known ones, and serves only its own assets", async () => {
    const missing = await fetch(`${daemon.url}/?target=demo-c`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^text\/html/);
    const text = await missing.text();
    expect(text).toContain('href="?target=demo-a"');
    expect(text).toContain('href="?target=demo-b"');
    expect((await fetch(`${daemon.url}/assets/nope.js`)).status).toBe(404);
    const uplot = await fetch(`${daemon.url}/assets/uPlot.min.js`);
    expect(await uplot.text()).toBe(
      readFileSync(path.join(PACKAGE_ROOT, "node_modules/uplot/dist/uPlot.iife.min.js"), "utf8"),
    );
    expect(await statusWithTag(`${daemon.url}/assets/uPlot.min.js`, uplot.headers.get("etag")!)).toBe(304);
    const page = await fetch(daemon.url);
    expect(await statusWithTag(daemon.url, page.headers.get("etag")!)).toBe(304);
  });
});
