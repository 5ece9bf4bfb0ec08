import { type ListeningChild } from "../src/demo/launcher";
import { untilReady } from "../test/helpers/daemon";
import { interleavedLatency, sequentialLatency, throughput, type LatencyFigures, type ThroughputFigures } from "./measure";
import { PROMETHEUS_SCRAPE_HEADERS } from "./timing";
import { ProcessStack, residentBytes, startMemsnap, startSyntheticVectorizer, vectorizerTargetEnv } from "./processes";

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
}

/** What scraping one exporter costs. */
export interface ScrapeFigures {
  series: number;
  metrics: LatencyFigures;
  throughput: ThroughputFigures;
  restResidentBytes: number;
}

/** memsnap at one size, and node_exporter measured in the same minute for comparison. */
export interface ScenarioFigures {
  name: string;
  memsnap: ScrapeFigures;
  nodeExporter: ScrapeFigures;
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
async function compareScrapes(memsnap: ListeningChild, nodeExporter: ListeningChild, settings: BenchSettings) {
  const servers = [memsnap, nodeExporter];
  const restResidentBytes = servers.map((s) => residentBytes(s.pid));
  const series = await Promise.all(servers.map((s) => countSeries(s.url)));
  const urls = servers.map((s) => `${s.url}/metrics`);
  const latency = await interleavedLatency(urls, settings.scrapes, PROMETHEUS_SCRAPE_HEADERS);
  const load: ThroughputFigures[] = [];
  for (const url of urls) {
    load.push(await throughput(url, settings.throughputConnections, settings.throughputSeconds, PROMETHEUS_SCRAPE_HEADERS));
  }
  const figures = (i: number): ScrapeFigures => ({
    series: series[i],
    metrics: latency[i],
    throughput: load[i],
    restResidentBytes: restResidentBytes[i],
  });
  return { memsnap: figures(0), nodeExporter: figures(1) };
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
    const compared = await compareScrapes(memsnap, nodeExporter, settings);
    const snapshot = await sequentialLatency(`${memsnap.url}/api/v1/memory-snapshot`, settings.scrapes);
    return { name: collections === undefined ? "demo" : `${collections} collections`, ...compared, snapshot };
  } finally {
    await stack.stopAll();
  }
}
