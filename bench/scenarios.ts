import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ListeningChild } from "../src/demo/launcher";
import { untilReady } from "../test/helpers/daemon";
import { getRaw } from "../test/helpers/http";
import {
  interleavedLatency,
  sequentialLatency,
  throughput,
  type LatencyFigures,
  type ThroughputFigures,
} from "./measure";
import { PROMETHEUS_SCRAPE_HEADERS } from "./timing";
import {
  ProcessStack,
  residentBytes,
  startMemsnap,
  startStaticServer,
  startSyntheticVectorizer,
  vectorizerTargetEnv,
} from "./processes";

export interface BenchSettings {
  /** Sequential scrapes per exporter for p50 / p99. */
  scrapes: number;
  throughputConnections: number;
  throughputSeconds: number;
  /** Synthetic collection counts memsnap is measured at, besides the demo. */
  collectionCounts: number[];
  /** MEMSNAP_DEMO_SCALE of the demo target; undefined is the default size. */
  demoScale: string | undefined;
  costSamples: number;
  soakSamples: number;
  /** Samples at the largest collection count: enough to fill the history. */
  historyFillSamples: number;
  loadConnections: number;
  loadSeconds: number;
  /** Loads of the page in chromium per target. */
  pageLoads: number;
}

/** Time given to memsnap after its first sample before its RSS at rest is read. */
const REST_SETTLE_MS = 3000;

/** What scraping one exporter costs. */
export interface ScrapeFigures {
  series: number;
  metrics: LatencyFigures;
  throughput: ThroughputFigures;
  restResidentBytes: number;
}

/**
 * memsnap at one size; node_exporter measured in the same minute for comparison; and the ceiling,
 * a bare server answering memsnap's bytes, for what the machine and the load generator allow.
 */
export interface ScenarioFigures {
  name: string;
  memsnap: ScrapeFigures;
  nodeExporter: ScrapeFigures;
  ceiling: ScrapeFigures;
  snapshot: LatencyFigures;
}

/** The environment of memsnap's own demo target at the run's scale. */
export function demoEnv(settings: BenchSettings): Record<string, string> {
  return settings.demoScale === undefined ? {} : { MEMSNAP_DEMO_SCALE: settings.demoScale };
}

async function countSeries(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).length;
}

/**
 * Sequential scrapes of both exporters, interleaved so they share the machine's noise, then
 * throughput of each in turn; every request carries Prometheus's own scrape headers.
 */
async function compareScrapes(servers: ListeningChild[], settings: BenchSettings): Promise<ScrapeFigures[]> {
  const restResidentBytes = servers.map((s) => residentBytes(s.pid));
  const series = await Promise.all(servers.map((s) => countSeries(s.url)));
  const urls = servers.map((s) => `${s.url}/metrics`);
  const latency = await interleavedLatency(urls, settings.scrapes, PROMETHEUS_SCRAPE_HEADERS);
  const load: ThroughputFigures[] = [];
  for (const url of urls) {
    load.push(
      await throughput(url, settings.throughputConnections, settings.throughputSeconds, PROMETHEUS_SCRAPE_HEADERS),
    );
  }
  return servers.map((_, i) => ({
    series: series[i],
    metrics: latency[i],
    throughput: load[i],
    restResidentBytes: restResidentBytes[i],
  }));
}

/** A bare server answering exactly what memsnap answers a Prometheus scrape. */
async function startCeiling(memsnap: ListeningChild): Promise<ListeningChild> {
  const scrape = await getRaw(`${memsnap.url}/metrics`, PROMETHEUS_SCRAPE_HEADERS);
  const folder = mkdtempSync(path.join(os.tmpdir(), "memsnap-bench-"));
  writeFileSync(path.join(folder, "metrics"), scrape.body);
  const headers: Record<string, string> = { "content-type": String(scrape.headers["content-type"]) };
  if (scrape.headers["content-encoding"] !== undefined)
    headers["content-encoding"] = scrape.headers["content-encoding"];
  const server = await startStaticServer(path.join(folder, "metrics"), headers);
  return {
    ...server,
    async stop() {
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** memsnap serving a target: the demo (collections undefined) or the synthetic vectorizer. */
export async function benchScenario(
  settings: BenchSettings,
  collections: number | undefined,
  nodeExporter: ListeningChild,
): Promise<ScenarioFigures> {
  const stack = new ProcessStack();
  try {
    let env = demoEnv(settings);
    if (collections !== undefined) env = vectorizerTargetEnv(await stack.start(startSyntheticVectorizer(collections)));
    const memsnap = await stack.start(startMemsnap(env));
    await untilReady(memsnap);
    await new Promise((resolve) => setTimeout(resolve, REST_SETTLE_MS));
    const ceiling = await stack.start(startCeiling(memsnap));
    const [ours, theirs, bare] = await compareScrapes([memsnap, nodeExporter, ceiling], settings);
    const snapshot = await sequentialLatency(`${memsnap.url}/api/v1/memory-snapshot`, settings.scrapes);
    const name = collections === undefined ? "demo" : `${collections} collections`;
    return { name, memsnap: ours, nodeExporter: theirs, ceiling: bare, snapshot };
  } finally {
    await stack.stopAll();
  }
}
