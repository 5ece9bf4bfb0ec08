import autocannon from "autocannon";
import { HttpTimer, median, percentile } from "./timing";

export interface LatencyFigures {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  bodyBytes: number;
}

function latencyFigures(times: number[], bodyBytes: number): LatencyFigures {
  return { requests: times.length, p50Ms: median(times), p99Ms: percentile(times, 0.99), bodyBytes };
}

/** GETs `url` `count` times, one after the other. */
export async function sequentialLatency(
  url: string,
  count: number,
  headers: Record<string, string> = {},
): Promise<LatencyFigures> {
  const [figures] = await interleavedLatency([url], count, headers);
  return figures;
}

const INTERLEAVE_BLOCK = 50;

/**
 * GETs each URL `count` times, one request at a time, alternating between the URLs every
 * INTERLEAVE_BLOCK requests so that every URL sees the same noise from the rest of the machine.
 */
export async function interleavedLatency(
  urls: string[],
  count: number,
  headers: Record<string, string> = {},
): Promise<LatencyFigures[]> {
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
