import http from "node:http";
import { performance } from "node:perf_hooks";

/** The value below which `fraction` of the values fall (nearest rank). */
export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export const median = (values: number[]) => percentile(values, 0.5);

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
