import http from "node:http";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";

/** The value below which `fraction` of the values fall (nearest rank). */
export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export const median = (values: number[]) => percentile(values, 0.5);

export interface LatencyFigures {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  bodyBytes: number;
}

/** What Prometheus sends with every scrape: it prefers OpenMetrics, and takes gzip. */
export const PROMETHEUS_SCRAPE_HEADERS: Record<string, string> = {
  accept:
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
  "accept-encoding": "gzip",
};

/** Times GETs over one kept-alive connection, reading each body whole (as sent, not decompressed). */
export class HttpTimer {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly headers: Record<string, string> = {}) {}

  get(url: string): Promise<{ ms: number; bytes: number }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const request = http.get(url, { agent: this.agent, headers: this.headers }, (response) => {
        let bytes = 0;
        response.on("data", (chunk: Buffer) => (bytes += chunk.length));
        response.on("end", () => {
          if (response.statusCode !== 200) reject(new Error(`${url} answered HTTP ${response.statusCode}`));
          else resolve({ ms: performance.now() - started, bytes });
        });
        response.on("error", reject);
      });
      request.on("error", reject);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function latencyFigures(times: number[], bodyBytes: number): LatencyFigures {
  return { requests: times.length, p50Ms: median(times), p99Ms: percentile(times, 0.99), bodyBytes };
}

/** GETs `url` `count` times, one after the other. */
export async function sequentialLatency(url: string, count: number, headers: Record<string, string> = {}): Promise<LatencyFigures> {
  const [figures] = await interleavedLatency([url], count, headers);
  return figures;
}

const INTERLEAVE_BLOCK = 50;

/**
 * GETs each URL `count` times, one request at a time, alternating between the URLs every
 * INTERLEAVE_BLOCK requests so that every URL sees the same noise from the rest of the machine.
 */
export async function interleavedLatency(urls: string[], count: number, headers: Record<string, string> = {}): Promise<LatencyFigures[]> {
  const timers = urls.map(() => new HttpTimer(headers));
  const times: number[][] = urls.map(() => []);
  const bodyBytes = urls.map(() => 0);
  try {
    for (let done = 0; done < count; done += INTERLEAVE_BLOCK) {
      for (const [i, url] of urls.entries()) {
        for (let n = done; n < Math.min(count, done + INTERLEAVE_BLOCK); n++) {
          const { ms, bytes } = await timers[i].get(url);
          times[i].push(ms);
          bodyBytes[i] = bytes;
        }
      }
    }
  } finally {
    for (const timer of timers) timer.close();
  }
  return urls.map((_, i) => latencyFigures(times[i], bodyBytes[i]));
}

export interface ThroughputFigures {
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
}

/** Requests per second that `connections` concurrent clients get from `url` over `durationSeconds`. */
export async function throughput(
  url: string,
  connections: number,
  durationSeconds: number,
  headers: Record<string, string> = {},
): Promise<ThroughputFigures> {
  const result = await autocannon({ url, connections, duration: durationSeconds, headers });
  return {
    requestsPerSecond: result.requests.average,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
