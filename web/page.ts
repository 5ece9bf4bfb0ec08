/*
 * The page's only script, for the live page and the report alike: it draws the history chart
 * with uPlot, sorts the collections table, and on the live page fetches the page again after
 * each sample (answered 304 while nothing changed) and swaps in its <main>.
 */
/// <reference types="uplot" />
type UPlot = uPlot;
type UPlotOptions = uPlot.Options;
type UPlotData = uPlot.AlignedData;

type ChartData = import("./chart-data").ChartData;

const BYTES_PER_MB = 1024 * 1024;
/** The limit is drawn inside the plot only when memory comes this close to it; else the legend gives it. */
const LIMIT_IN_VIEW_RATIO = 0.25;

let chart: UPlot | null = null;
let sortState: { column: number; ascending: boolean } | null = null;

function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

function readChartData(): ChartData | null {
  const block = document.getElementById("memsnap-data");
  if (block === null) return null;
  return (JSON.parse(block.textContent) as { chart: ChartData }).chart;
}

const utc = (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC");
/** Tick labels as fine as the ticks: seconds under a minute apart, the date a day apart or more. */
function tickLabels(splits: number[]): string[] {
  const step = splits.length > 1 ? splits[1] - splits[0] : 60;
  const format = uPlot.fmtDate(step < 60 ? "{HH}:{mm}:{ss}" : step < 86_400 ? "{HH}:{mm}" : "{YYYY}-{MM}-{DD}");
  return splits.map((v) => format(utc(v)));
}

const toMb = (v: number | null) => (v === null ? null : v / BYTES_PER_MB);

/**
 * Where the chart ends: the latest sample, or the predicted point of exhaustion when it falls
 * within twice the history's span ahead (further off, the text says when, and the chart keeps its scale).
 */
function exhaustionInView(data: ChartData): ChartData["exhaustion"] {
  const first = data.t.at(0);
  const last = data.t.at(-1);
  if (data.exhaustion === null || first === undefined || last === undefined) return null;
  return data.exhaustion.t <= last + 2 * Math.max(last - first, 60) ? data.exhaustion : null;
}

/** Draws the dashed line from the latest RSS to the predicted point of exhaustion. */
function drawExhaustion(u: UPlot, data: ChartData): void {
  const last = data.t.length - 1;
  const from = data.rss[last];
  const exhaustion = exhaustionInView(data);
  if (exhaustion === null || from === null) return;
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  ctx.strokeStyle = cssColor("--critical");
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.beginPath();
  ctx.moveTo(u.valToPos(data.t[last], "x", true), u.valToPos(from / BYTES_PER_MB, "y", true));
  ctx.lineTo(u.valToPos(exhaustion.t, "x", true), u.valToPos(exhaustion.bytes / BYTES_PER_MB, "y", true));
  ctx.stroke();
  ctx.restore();
}

function chartOptions(data: ChartData, width: number): UPlotOptions {
  const limitMb = toMb(data.limit_bytes);
  const exhaustion = exhaustionInView(data);
  const peakMb = Math.max(
    0,
    ...data.rss.map((v) => toMb(v) ?? 0),
    ...(data.working_set ?? []).map((v) => toMb(v) ?? 0),
  );
  const showLimit = limitMb !== null && (peakMb >= limitMb * LIMIT_IN_VIEW_RATIO || exhaustion !== null);
  const series: UPlotOptions["series"] = [
    { label: "Time (UTC)", value: "{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}" },
    { label: "RSS (MB)", stroke: cssColor("--c-rss"), width: 2 },
  ];
  if (data.working_set) series.push({ label: "Working set (MB)", stroke: cssColor("--c-ws"), width: 2 });
  if (data.unexplained) series.push({ label: "Unexplained (MB)", stroke: cssColor("--c-unexplained"), width: 2 });
  if (limitMb !== null) {
    series.push({
      label: `${data.limit_scope === "cgroup" ? "cgroup limit" : "host memory"} (MB)`,
      stroke: cssColor("--c-limit"),
      width: 1,
      dash: [4, 4],
      show: showLimit,
    });
  }
  const axis = {
    stroke: cssColor("--muted"),
    grid: { stroke: cssColor("--line"), width: 1 },
    ticks: { stroke: cssColor("--line"), width: 1 },
  };
  return {
    width,
    height: width < 500 ? 240 : 300,
    tzDate: utc,
    series,
    axes: [
      { ...axis, space: 80, values: (_u, splits) => tickLabels(splits) },
      { ...axis, size: 60 },
    ],
    scales: {
      x: {
        time: true,
        range: (_u, min, max) => {
          const end = exhaustion === null ? max : Math.max(max, exhaustion.t);
          return [min, end === min ? min + 60 : end];
        },
      },
      y: { range: (_u, min, max) => [0, Math.max(max, min) * 1.1 || 1] },
    },
    hooks: { draw: [(u) => drawExhaustion(u, data)] },
  };
}

function chartRows(data: ChartData): UPlotData {
  const rows: Array<Array<number | null>> = [data.t, data.rss.map(toMb)];
  if (data.working_set) rows.push(data.working_set.map(toMb));
  if (data.unexplained) rows.push(data.unexplained.map(toMb));
  if (data.limit_bytes !== null) rows.push(data.t.map(() => toMb(data.limit_bytes)));
  return rows as UPlotData;
}

function drawChart(): void {
  chart?.destroy();
  chart = null;
  const box = document.getElementById("chart");
  const data = readChartData();
  if (box === null || data === null || typeof uPlot === "undefined") return;
  box.textContent = "";
  chart = new uPlot(chartOptions(data, box.clientWidth), chartRows(data), box);
  box.dataset.points = String(chart.data[0].length);
}

function resizeChart(): void {
  const box = document.getElementById("chart");
  if (chart !== null && box !== null)
    chart.setSize({ width: box.clientWidth, height: box.clientWidth < 500 ? 240 : 300 });
}

function sortValue(row: HTMLTableRowElement, column: number, numeric: boolean): number | string {
  const raw = row.cells.item(column)?.dataset.sort ?? "";
  if (!numeric) return raw.toLowerCase();
  return raw === "" ? -Infinity : Number(raw);
}

function applySort(): void {
  const table = document.querySelector<HTMLTableElement>("table.sortable");
  if (table === null || sortState === null) return;
  const { column, ascending } = sortState;
  const button = table.querySelector<HTMLButtonElement>(`button.sort[data-column="${column}"]`);
  const numeric = button?.dataset.numeric === "true";
  const body = table.tBodies[0];
  const rows = [...body.rows].sort((a, b) => {
    const x = sortValue(a, column, numeric);
    const y = sortValue(b, column, numeric);
    return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
  });
  body.append(...rows);
  table
    .querySelectorAll("th")
    .forEach((th, i) => th.setAttribute("aria-sort", i === column ? (ascending ? "ascending" : "descending") : "none"));
}

function onSortClick(event: Event): void {
  const button = (event.target as Element).closest<HTMLButtonElement>("button.sort");
  if (button === null) return;
  const column = Number(button.dataset.column);
  sortState = {
    column,
    ascending: sortState?.column === column ? !sortState.ascending : button.dataset.numeric !== "true",
  };
  applySort();
}

function setLiveStatus(text: string): void {
  const status = document.getElementById("live-status");
  if (status !== null) status.textContent = text;
}

/**
 * Fetches the page again; the browser revalidates its copy (304 while nothing changed) and a new
 * version, told by its ETag, replaces <main> and the chart is drawn anew.
 */
async function refresh(etag: string | null): Promise<string | null> {
  const response = await fetch(location.href, { cache: "no-cache" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const tag = response.headers.get("ETag");
  if (tag !== null && tag === etag) return etag;
  const next = new DOMParser().parseFromString(await response.text(), "text/html");
  const main = next.querySelector("main");
  const current = document.querySelector("main");
  if (main !== null && current !== null) {
    current.replaceWith(document.importNode(main, true));
    document.title = next.title;
    drawChart();
    applySort();
  }
  return tag;
}

function startLive(seconds: number): void {
  let etag: string | null = null;
  const tick = async () => {
    try {
      etag = await refresh(etag);
      setLiveStatus(`live · checked ${new Date().toLocaleTimeString()}`);
    } catch (err) {
      setLiveStatus(`cannot reach memsnap (${(err as Error).message}); retrying`);
    }
    setTimeout(tick, seconds * 1000);
  };
  setLiveStatus("live");
  setTimeout(tick, seconds * 1000);
}

function start(): void {
  drawChart();
  document.addEventListener("click", onSortClick);
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(resizeChart, 100);
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", drawChart);
  const poll = Number(document.body.dataset.pollSeconds);
  if (document.body.dataset.live === "true" && poll > 0) startLive(poll);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
