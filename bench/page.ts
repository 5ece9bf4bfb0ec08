/**
 * The page at GET / as a browser gets it: Debian's chromium (through playwright-core) loads it
 * with an empty cache, then again with a warm one, from `memsnap serve` watching the demo and
 * 10 000 synthetic collections.
 *
 *   npm run bench:page            writes its table into bench/RESULTS.md (its own markers)
 *   npm run bench:page -- --quick prints only
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { openBrowser, type TestBrowser } from "../test/helpers/browser";
import { untilReady } from "../test/helpers/daemon";
import { RESULTS_FILE, spliceResults } from "./results-file";
import { ProcessStack, startMemsnap, startSyntheticVectorizer, vectorizerTargetEnv } from "./processes";
import { median, percentile } from "./timing";

const PAGE_BLOCK = "bench:page";
const KIB = 1024;

export interface PageFigures {
  scenario: string;
  loads: number;
  requests: number;
  /** Bytes over the wire (headers and encoded bodies), empty cache; median of the loads. */
  coldTransferredBytes: number;
  /** The same bodies decoded: what the browser parses. */
  decodedBytes: number;
  /** A second visit: every asset revalidated, answered 304 where unchanged. */
  warmTransferredBytes: number;
  firstContentfulPaintMs: number[];
  largestContentfulPaintMs: number[];
  chartDrawnMs: number[];
}

interface LoadFigures {
  requests: number;
  transferred: number;
  decoded: number;
  fcp: number;
  lcp: number;
  chart: number;
}

/** Records, from the start of navigation, when the script has drawn the chart. */
function watchChart(): void {
  const record = () => {
    const chart = document.getElementById("chart");
    const state = window as unknown as { memsnapChartAt?: number };
    if (chart?.dataset.points && state.memsnapChartAt === undefined) state.memsnapChartAt = performance.now();
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true });
}

function paintTimes(): Promise<{ fcp: number; lcp: number; chart: number }> {
  return new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const entries = list.getEntries();
      const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN;
      const chart = (window as unknown as { memsnapChartAt?: number }).memsnapChartAt ?? Number.NaN;
      resolve({ fcp, lcp: entries[entries.length - 1].startTime, chart });
    }).observe({ type: "largest-contentful-paint", buffered: true });
  });
}

async function loadOnce(page: Page, url: string): Promise<LoadFigures> {
  const sizes: Array<Promise<{ transferred: number; decoded: number }>> = [];
  const onFinished = (request: import("playwright-core").Request) =>
    sizes.push(
      Promise.all([request.sizes(), request.response().then((r) => r?.body().catch(() => Buffer.alloc(0)))]).then(
        ([s, body]) => ({
          transferred: s.responseBodySize + s.responseHeadersSize,
          decoded: body?.length ?? 0,
        }),
      ),
    );
  page.on("requestfinished", onFinished);
  await page.goto(url, { waitUntil: "networkidle" });
  await page.waitForSelector("#chart[data-points]");
  const paints = await page.evaluate(paintTimes);
  page.off("requestfinished", onFinished);
  const all = await Promise.all(sizes);
  return {
    requests: all.length,
    transferred: all.reduce((sum, s) => sum + s.transferred, 0),
    decoded: all.reduce((sum, s) => sum + s.decoded, 0),
    ...paints,
  };
}

async function measure(browser: TestBrowser, scenario: string, url: string, loads: number): Promise<PageFigures> {
  const cold: LoadFigures[] = [];
  const warm: LoadFigures[] = [];
  for (let i = 0; i < loads; i++) {
    const page = await browser.context.newPage();
    await page.addInitScript(watchChart);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send("Network.clearBrowserCache");
    cold.push(await loadOnce(page, url));
    warm.push(await loadOnce(page, url));
    await page.close();
  }
  return {
    scenario,
    loads,
    requests: median(cold.map((l) => l.requests)),
    coldTransferredBytes: median(cold.map((l) => l.transferred)),
    decodedBytes: median(cold.map((l) => l.decoded)),
    warmTransferredBytes: median(warm.map((l) => l.transferred)),
    firstContentfulPaintMs: cold.map((l) => l.fcp),
    largestContentfulPaintMs: cold.map((l) => l.lcp),
    chartDrawnMs: cold.map((l) => l.chart),
  };
}

/** The page of memsnap serve watching the demo, then 10 000 synthetic collections. */
export async function benchPage(loads: number, demoEnv: Record<string, string>): Promise<PageFigures[]> {
  const stack = new ProcessStack();
  const browser = await openBrowser();
  try {
    const figures: PageFigures[] = [];
    const demo = await stack.start(startMemsnap(demoEnv));
    await untilReady(demo);
    figures.push(await measure(browser, "demo", demo.url, loads));
    const vectorizer = await stack.start(startSyntheticVectorizer(10_000));
    const large = await stack.start(startMemsnap(vectorizerTargetEnv(vectorizer)));
    await untilReady(large);
    figures.push(await measure(browser, "10000 collections", large.url, loads));
    return figures;
  } finally {
    await browser.close();
    await stack.stopAll();
  }
}

const kib = (bytes: number) => (bytes / KIB).toFixed(1);
const ms = (values: number[]) => `${median(values).toFixed(0)} / ${percentile(values, 0.9).toFixed(0)}`;

export function renderPageTable(figures: PageFigures[]): string {
  const lines = [
    "### The page at `GET /` in chromium (median of the loads; paints as median / p90)",
    "",
    "| target | loads | requests | KiB transferred, empty cache | KiB decoded | KiB transferred, warm cache | first contentful paint ms | largest contentful paint ms | chart drawn ms |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...figures.map(
      (f) =>
        `| ${f.scenario} | ${f.loads} | ${f.requests} | ${kib(f.coldTransferredBytes)} | ${kib(f.decodedBytes)} | ${kib(f.warmTransferredBytes)} | ${ms(
          f.firstContentfulPaintMs,
        )} | ${ms(f.largestContentfulPaintMs)} | ${ms(f.chartDrawnMs)} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/** Puts the page's table between its markers in `file`. */
function writePageResults(file: string, table: string): void {
  writeFileSync(file, spliceResults(existsSync(file) ? readFileSync(file, "utf8") : null, table, PAGE_BLOCK));
}

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const table = renderPageTable(await benchPage(quick ? 3 : 20, quick ? { MEMSNAP_DEMO_SCALE: "0.05" } : {}));
  process.stdout.write(table);
  if (!quick) writePageResults(RESULTS_FILE, table);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`page bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
