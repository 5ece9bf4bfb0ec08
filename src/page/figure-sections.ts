import type { Snapshot } from "../snapshot/schema";
import { bytesText, countText, hoursText, html, percentText, timeText, type Html } from "./html";
import {
  attributionOf,
  mappedBytesByCollection,
  memoryLimit,
  type Attribution,
  type AttributionPart,
} from "./optional-fields";

/** One headline figure; `data-figure` and `data-bytes` let a reader (or a test) take the exact value. */
function figureCard(label: string, name: string, text: string, exact: number | null, note?: string): Html {
  return html`<div class="card"><dt>${label}</dt><dd data-figure="${name}" data-value="${exact === null ? "" : String(exact)}">${text}</dd>${
    note === undefined ? "" : html`<dd class="note">${note}</dd>`
  }</div>`;
}

/** The main figures, readable without JavaScript. */
export function summarySection(s: Snapshot): Html {
  const p = s.process_info;
  const limit = memoryLimit(s);
  const c = s.collections_info;
  const health = s.health;
  return html`<section id="summary" aria-label="Main figures"><dl class="cards">
${figureCard("Resident memory (RSS)", "rss_bytes", bytesText(p.physical_memory_bytes), p.physical_memory_bytes, `peak ${bytesText(p.peak_memory_bytes)}`)}
${figureCard("Memory limit", "limit_bytes", bytesText(limit?.bytes), limit?.bytes ?? null, limit === null ? undefined : limit.scope === "cgroup" ? "cgroup limit" : "host memory")}
${figureCard("Unaccounted memory", "unaccounted_bytes", bytesText(s.discrepancy_analysis.unaccounted_memory_bytes), s.discrepancy_analysis.unaccounted_memory_bytes, `overhead ${percentText(s.discrepancy_analysis.overhead_percentage)}`)}
${figureCard("Health score", "health_score", `${health.score} / 100`, health.score, health.status)}
${figureCard("Collections", "collections", countText(c.total_collections), c.total_collections, `${countText(c.total_vectors)} vectors`)}
${figureCard("Database's figure", "actual_bytes", bytesText(c.actual_memory_bytes), c.actual_memory_bytes, `naive estimate ${bytesText(c.estimated_memory_bytes)}`)}
</dl></section>`;
}

const PART_NAMES: Record<string, string> = {
  code: "code",
  data_files: "mapped data files",
  shared_memory: "shared memory",
  stacks: "stacks",
  collections: "collections",
  allocator_free: "allocator free",
  unexplained: "unexplained",
};

const partName = (part: string) => PART_NAMES[part] ?? part.replace(/_/g, " ");
/** A CSS class per known part, so that each keeps its colour in light and dark. */
const partClass = (part: string) => `part part-${part in PART_NAMES ? part : "other"}`;

/** The stacked bar: SVG attributes only, so no inline style is needed under the CSP. */
function stackedBar(parts: AttributionPart[], total: number): Html {
  let x = 0;
  const rects = parts.map((p) => {
    const width = total > 0 ? (p.bytes / total) * 1000 : 0;
    const rect = html`<rect class="${partClass(p.part)}" x="${x.toFixed(2)}" y="0" width="${width.toFixed(2)}" height="40"><title>${partName(p.part)}: ${bytesText(p.bytes)}</title></rect>`;
    x += width;
    return rect;
  });
  return html`<svg class="stacked-bar" viewBox="0 0 1000 40" preserveAspectRatio="none" role="img" aria-label="Resident memory by part">${rects}</svg>`;
}

/** At most this many collections are named under their part. */
const MAX_COLLECTIONS_WITHIN = 5;

/** The collections within a part, largest first: name and bytes. */
function within(entries: Array<[string, number]>, note: string): Html {
  if (entries.length === 0) return html``;
  const rest = entries.length - MAX_COLLECTIONS_WITHIN;
  return html`<ul class="within" aria-label="${note}">${entries
    .slice(0, MAX_COLLECTIONS_WITHIN)
    .map(
      ([name, bytes]) => html`<li data-within="${name}">${name}: ${bytesText(bytes)}</li>`,
    )}${rest > 0 ? html`<li>and ${String(rest)} more</li>` : ""}</ul>`;
}

/** What the database says each collection holds: the collections within the `collections` part. */
function heldByCollection(s: Snapshot): Array<[string, number]> {
  return s.collections_info.collections_detail
    .flatMap((c): Array<[string, number]> =>
      c.actual_memory_bytes !== null && c.actual_memory_bytes > 0 ? [[c.name, c.actual_memory_bytes]] : [],
    )
    .sort((a, b) => b[1] - a[1]);
}

function collectionsWithin(s: Snapshot, attribution: Attribution, part: string): Html {
  if (part === "collections") return within(heldByCollection(s), "the database's figure per collection");
  if (part === "data_files")
    return within(mappedBytesByCollection(attribution), "mapped files per collection, in the largest mappings");
  return html``;
}

/** Where every resident byte is (SPEC 3a), or a clear word that this snapshot does not say. */
export function attributionSection(s: Snapshot): Html {
  const attribution = attributionOf(s);
  if (attribution === null) {
    return html`<section id="attribution" data-attribution="absent"><h2>Where the resident memory is</h2><p class="unavailable">Attribution not available: this snapshot does not split the resident memory into parts. The unaccounted memory above is RSS minus the database's own figure.</p></section>`;
  }
  const total = attribution.parts.reduce((sum, p) => sum + p.bytes, 0);
  const rss = s.process_info.physical_memory_bytes;
  const rows = attribution.parts.map((p) => {
    const share = p.share_of_rss ?? (rss ? p.bytes / rss : null);
    return html`<tr data-part="${p.part}"><td><span class="swatch ${partClass(p.part)}"></span>${partName(p.part)}${collectionsWithin(s, attribution, p.part)}</td><td class="num" data-bytes="${String(p.bytes)}">${bytesText(p.bytes)}</td><td class="num">${percentText(share === null ? null : share * 100)}</td><td class="source wide">${p.source}</td></tr>`;
  });
  return html`<section id="attribution" data-attribution="present"><h2>Where the resident memory is</h2>
${stackedBar(attribution.parts, total)}
<div class="scroll"><table class="legend stack"><thead><tr><th>Part</th><th class="num">Resident</th><th class="num">Share of RSS</th><th>Source</th></tr></thead><tbody>${rows}</tbody>
<tfoot><tr><td>Sum of parts</td><td class="num" data-bytes="${String(total)}">${bytesText(total)}</td><td class="num">${percentText(rss ? (total / rss) * 100 : null)}</td><td>RSS ${bytesText(rss)}</td></tr></tfoot></table></div>
${attribution.read_at ? html`<p class="note">Mappings read at ${timeText(attribution.read_at)}; the parts follow the process's counters since.</p>` : ""}</section>`;
}

function trendText(s: Snapshot): Html {
  const t = s.trend;
  if (t === null)
    return html`<p class="note" data-trend="absent">No trend yet: it needs a few samples of the same process.</p>`;
  const limit = memoryLimit(s);
  const hours = t.hours_until_memory_limit;
  const exhaustion =
    hours === null
      ? html`No exhaustion forecast: ${t.hours_until_memory_limit_reason ?? "memory is not growing toward the limit within the window"}.`
      : html`<strong class="exhaustion">At this rate the ${limit?.scope === "cgroup" ? "cgroup limit" : "host memory"} is reached in ${hoursText(hours)}</strong> (${new Date(Date.parse(s.timestamp) + hours * 3_600_000).toISOString().slice(0, 16).replace("T", " ")} UTC).`;
  return html`<p class="note" data-trend="present">Over the last ${t.window_minutes.toFixed(t.window_minutes < 10 ? 1 : 0)} min (${t.samples} samples): RSS ${signedRate(t.rss_slope_mb_per_hour)}, unaccounted ${t.unaccounted_slope_mb_per_hour === null ? "unknown" : signedRate(t.unaccounted_slope_mb_per_hour)}. ${exhaustion}</p>`;
}

const signedRate = (mbPerHour: number) => `${mbPerHour > 0 ? "+" : ""}${mbPerHour.toFixed(1)} MB/h`;

/** The chart is drawn by the script from the JSON block; without it, the trend still reads. */
export function historySection(s: Snapshot, points: number): Html {
  return html`<section id="history"><h2>Memory over time</h2>
<div id="chart" class="chart" data-history-points="${String(points)}" aria-label="Resident memory over the last ${String(points)} samples"></div>
<noscript><p class="note">The chart needs JavaScript; the figures above do not.</p></noscript>
${trendText(s)}</section>`;
}
