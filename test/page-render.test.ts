import { readFileSync } from "node:fs";
import path from "node:path";
import { chartData } from "../src/page/chart-data";
import { bytesText, MAX_MESSAGE_CHARS } from "../src/page/html";
import { renderLivePage } from "../src/page/live-page";
import { MAX_COLLECTION_ROWS, MAX_FINDINGS } from "../src/page/table-sections";
import { loadConfig } from "../src/config/load";
import { parseSnapshotJson } from "../src/snapshot/read";
import type { Snapshot } from "../src/snapshot/schema";
import { MB } from "./helpers/samples";

const thresholds = loadConfig({}).thresholds;
const seedText = readFileSync(path.join(__dirname, "fixtures/seed-example-snapshot.json"), "utf8");
const NO_ALERTS = { enabled: false, alerts: [] };

/** The seed's example, with figures newer snapshots carry added as the JSON would hold them. */
function snapshotWith(extra: Record<string, unknown>, at = "2024-01-15T10:30:00Z"): Snapshot {
  return { ...parseSnapshotJson(seedText.replace("2024-01-15T10:30:00Z", at), thresholds), ...extra };
}

const page = (history: Snapshot[]) => renderLivePage({ targets: ["seed"], target: "seed", history, alerts: NO_ALERTS });

const PARTS = [
  { part: "code", bytes: 60 * MB, mb: 60, source: "kernel smaps", share_of_rss: 60 / 2048 },
  {
    part: "data_files",
    bytes: 400 * MB,
    mb: 400,
    source: "kernel smaps; Qdrant cached_bytes",
    share_of_rss: 400 / 2048,
  },
  { part: "collections", bytes: 800 * MB, mb: 800, source: "database API", share_of_rss: 800 / 2048 },
  { part: "unexplained", bytes: 788 * MB, mb: 788, source: "arithmetic", share_of_rss: 788 / 2048 },
];

describe("the page's pictures from a snapshot", () => {
  it("draws the attribution as one bar of its parts, each with its bytes, share and source", () => {
    const mappings_top = [
      {
        mapping: "/q/collections/docs/segments/a/vectors.mmap",
        part: "data_files",
        collection: "docs",
        rss_bytes: 150 * MB,
      },
      {
        mapping: "/q/collections/faq/segments/b/vectors.mmap",
        part: "data_files",
        collection: "faq",
        rss_bytes: 90 * MB,
      },
      {
        mapping: "/q/collections/docs/segments/c/payload.mmap",
        part: "data_files",
        collection: "docs",
        rss_bytes: 20 * MB,
      },
      { mapping: "[heap]", part: "unexplained", collection: null, rss_bytes: 300 * MB },
    ];
    const text = page([
      snapshotWith({ memory_attribution: { parts: PARTS, mappings_top, read_at: "2024-01-15T10:29:58Z" } }),
    ]);
    const withinPart = (part: string) =>
      [
        ...new RegExp(`<tr data-part="${part}">(.*?)</tr>`)
          .exec(text)![1]
          .matchAll(/<li data-within="[^"]+">([^<]+)<\/li>/g),
      ].map((m) => m[1]);
    expect(withinPart("data_files")).toEqual(["docs: 170.0 MB", "faq: 90.0 MB"]);
    expect(withinPart("collections").slice(0, 2)).toEqual(["docs: 192.3 MB", "knowledge-base: 125.6 MB"]);
    expect(withinPart("unexplained")).toEqual([]);
    expect(text).toContain('data-attribution="present"');
    const widths = [...text.matchAll(/<rect class="part part-(\w+)" x="[\d.]+" y="0" width="([\d.]+)"/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(widths.map(([part]) => part)).toEqual(PARTS.map((p) => p.part));
    widths.forEach(([, width], i) => expect(width).toBeCloseTo((PARTS[i].bytes / (2048 * MB)) * 1000, 1));
    for (const p of PARTS) {
      const row = new RegExp(
        `<tr data-part="${p.part}">.*?data-bytes="(\\d+)">([^<]+)</td><td class="num">([^<]+)</td><td class="source wide">([^<]+)<`,
      ).exec(text)!;
      expect(row.slice(1)).toEqual([
        String(p.bytes),
        bytesText(p.bytes),
        `${(p.share_of_rss * 100).toFixed(1)} %`,
        p.source,
      ]);
    }
  });

  it("says plainly when a snapshot has no attribution, or an unreadable one", () => {
    for (const extra of [{}, { memory_attribution: { parts: "none" } }, { memory_attribution: { parts: [] } }]) {
      const text = page([snapshotWith(extra)]);
      expect(text).toContain('data-attribution="absent"');
      expect(text).toContain("Attribution not available");
    }
  });

  it("shows the model's expectation per collection where the snapshot has it, a dash elsewhere", () => {
    const base = snapshotWith({});
    const detail = base.collections_info.collections_detail.map((c, i) => {
      const { expected_bytes: _expected, ...withoutExpectation } = c;
      return i === 0 ? { ...c, expected_bytes: 210 * MB } : withoutExpectation;
    });
    const text = page([{ ...base, collections_info: { ...base.collections_info, collections_detail: detail } }]);
    const cells = (name: string) =>
      new RegExp(`<tr data-collection="${name}">(.*?)</tr>`).exec(text)![1].match(/<td[^>]*>[^<]*<\/td>/g)!;
    expect(cells("docs")[5]).toBe(`<td class="num" data-sort="${210 * MB}">210.0 MB</td>`);
    expect(cells("knowledge-base")[5]).toBe('<td class="num" data-sort="">—</td>');
  });

  it("charts RSS, working set, unexplained and the limit, and the point of exhaustion while memory grows", () => {
    const times = ["2024-01-15T10:00:00Z", "2024-01-15T10:10:00Z", "2024-01-15T10:20:00Z"];
    const history = times.map((at, i) =>
      snapshotWith(
        {
          memory_attribution: { parts: [{ part: "unexplained", bytes: (100 + i) * MB, source: "arithmetic" }] },
          cgroup_info: {
            version: 2,
            path: "/x",
            limit_mb: 4096,
            usage_mb: 2100,
            usage_percent: 51,
            limit_bytes: 4096 * MB,
            usage_bytes: 2100 * MB,
            working_set_bytes: (1900 + i) * MB,
          },
        },
        at,
      ),
    );
    const last = history[2];
    history[2] = {
      ...last,
      trend: {
        samples: 3,
        window_start: times[0],
        window_end: times[2],
        window_minutes: 20,
        rss_slope_mb_per_hour: 6,
        unaccounted_slope_mb_per_hour: 6,
        rss_slope_bytes_per_hour: 6 * MB,
        unaccounted_slope_bytes_per_hour: 6 * MB,
        recent_unaccounted_slope_mb_per_hour: 6,
        memory_limit_scope: "cgroup",
        hours_until_memory_limit: 5,
        unaccounted_growing: true,
        recent_unexplained_slope_mb_per_hour: 6,
        unexplained_growing: true,
      },
    };
    const chart = chartData(history);
    expect(chart.t).toEqual(times.map((t) => Date.parse(t) / 1000));
    expect(chart.rss).toEqual(history.map((s) => s.process_info.physical_memory_bytes));
    expect(chart.working_set).toEqual([1900, 1901, 1902].map((m) => m * MB));
    expect(chart.unexplained).toEqual([100, 101, 102].map((m) => m * MB));
    expect([chart.limit_bytes, chart.limit_scope]).toEqual([4096 * MB, "cgroup"]);
    expect(chart.exhaustion).toEqual({ t: Date.parse(times[2]) / 1000 + 5 * 3600, bytes: 4096 * MB });
    expect(page(history)).toContain("cgroup limit is reached in 5.0 h");
    const flat = chartData([snapshotWith({})]);
    expect([flat.working_set, flat.unexplained, flat.exhaustion, flat.limit_scope]).toEqual([null, null, null, "host"]);
  });

  it("keeps the page light at 10 000 collections: the largest rows and the first findings only, and says so", () => {
    const base = snapshotWith({});
    const one = base.collections_info.collections_detail[0];
    const detail = Array.from({ length: 10_000 }, (_, i) => ({ ...one, name: `c${i}`, actual_memory_bytes: i * 1000 }));
    const findings = detail.map((c) => ({
      severity: "opportunity" as const,
      code: "EnableQuantization",
      message: `quantize ${c.name}`,
      value: null,
      threshold: null,
      collection: c.name,
    }));
    findings.unshift({
      ...findings[0],
      code: "LargeCollectionUnoptimized",
      message: `over 100 000 vectors: ${detail.map((c) => c.name).join(", ")}`,
    });
    const recommendations = detail.map((c) => `quantize ${c.name}`);
    const text = page([
      {
        ...base,
        findings,
        recommendations,
        collections_info: { ...base.collections_info, collections_detail: detail },
      },
    ]);
    expect(text.match(/<tr data-collection=/g)).toHaveLength(MAX_COLLECTION_ROWS);
    expect(text.match(/<li data-code=/g)).toHaveLength(MAX_FINDINGS);
    expect(text).toContain(`and ${(10_001 - MAX_FINDINGS).toLocaleString("en-US")} more findings`);
    expect(text).toContain(
      `${findings[0].message.slice(0, MAX_MESSAGE_CHARS)}… (cut here; the whole message is in the JSON)`,
    );
    expect(text).toContain('data-collection="c9999"');
    expect(text).not.toContain('data-collection="c0"');
    expect(text).toContain(`The ${MAX_COLLECTION_ROWS} largest of 10,000 collections.`);
    expect(Buffer.byteLength(text)).toBeLessThan(120 * 1024);
  });

  it("escapes what the database names, so that a collection cannot inject markup", () => {
    const base = snapshotWith({});
    const evil = { ...base.collections_info.collections_detail[0], name: '<img src=x onerror="alert(1)">' };
    const text = page([{ ...base, collections_info: { ...base.collections_info, collections_detail: [evil] } }]);
    expect(text).not.toContain("<img");
    expect(text).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;");
  });
});
