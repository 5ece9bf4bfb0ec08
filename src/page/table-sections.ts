import type { Snapshot } from "../snapshot/schema";
import { bytesText, clipped, countText, html, timeText, type Html } from "./html";

/** Rows past this are left out of the page (largest first), so that 10 000 collections stay light. */
export const MAX_COLLECTION_ROWS = 100;
/** Findings and recommendations past these are counted, not listed: one per collection adds up. */
export const MAX_FINDINGS = 50;
const MAX_RECOMMENDATIONS = 20;

/** The first `max` items, and a line counting the rest. */
function capped<T>(items: T[], max: number, item: (value: T) => Html, what: string): Html {
  const rest = items.length - max;
  return html`${items.slice(0, max).map(item)}${rest > 0 ? html`<li class="note">and ${countText(rest)} more ${what} (all in the JSON snapshot)</li>` : ""}`;
}

interface Column {
  label: string;
  numeric: boolean;
}

const COLLECTION_COLUMNS: Column[] = [
  { label: "Name", numeric: false },
  { label: "Vectors", numeric: true },
  { label: "Dimension", numeric: true },
  { label: "Quantization", numeric: false },
  { label: "Naive estimate", numeric: true },
  { label: "Model's expectation", numeric: true },
  { label: "Database's figure", numeric: true },
];

/** A header whose button sorts the table when the script runs; plain text without it. */
function sortableHead(columns: Column[]): Html {
  return html`<thead><tr>${columns.map(
    (c, i) =>
      html`<th class="${c.numeric ? "num" : ""}" aria-sort="none"><button type="button" class="sort" data-column="${String(i)}" data-numeric="${c.numeric ? "true" : "false"}">${c.label}</button></th>`,
  )}</tr></thead>`;
}

const cell = (text: string, sortValue: number | string | null, numeric = true) =>
  html`<td class="${numeric ? "num" : ""}" data-sort="${sortValue === null ? "" : String(sortValue)}">${text}</td>`;

export function collectionsSection(s: Snapshot): Html {
  const all = s.collections_info.collections_detail;
  if (all.length === 0) {
    return html`<section id="collections"><h2>Collections</h2><p class="note">No collections: ${
      s.collections_info.total_collections === null
        ? "the database's API could not be read."
        : "the database holds none."
    }</p></section>`;
  }
  const size = (c: (typeof all)[number]) => c.actual_memory_bytes ?? c.estimated_memory_bytes;
  const shown =
    all.length > MAX_COLLECTION_ROWS ? [...all].sort((a, b) => size(b) - size(a)).slice(0, MAX_COLLECTION_ROWS) : all;
  const rows = shown.map((c) => {
    const expected = c.expected_bytes ?? null;
    return html`<tr data-collection="${c.name}">${cell(c.name, c.name, false)}${cell(countText(c.vector_count), c.vector_count)}${cell(String(c.dimension), c.dimension)}${cell(
      c.quantization,
      c.quantization,
      false,
    )}${cell(bytesText(c.estimated_memory_bytes), c.estimated_memory_bytes)}${cell(expected === null ? "—" : bytesText(expected), expected)}${cell(
      bytesText(c.actual_memory_bytes),
      c.actual_memory_bytes,
    )}</tr>`;
  });
  const note =
    shown.length < all.length
      ? html`<p class="note">The ${String(shown.length)} largest of ${countText(all.length)} collections.</p>`
      : "";
  return html`<section id="collections"><h2>Collections</h2>${note}<div class="scroll"><table class="sortable" id="collections-table">${sortableHead(
    COLLECTION_COLUMNS,
  )}<tbody>${rows}</tbody></table></div></section>`;
}

const severityBadge = (severity: string) => html`<span class="badge sev-${severity}">${severity}</span>`;

export function findingsSection(s: Snapshot): Html {
  const findings = s.findings.length
    ? html`<ul class="findings">${capped(
        s.findings,
        MAX_FINDINGS,
        (f) =>
          html`<li data-code="${f.code}">${severityBadge(f.severity)} <strong>${f.code}</strong>${f.collection ? html` (${f.collection})` : ""}: ${clipped(f.message)}</li>`,
        "findings",
      )}</ul>`
    : html`<p class="note">No findings.</p>`;
  const recommendations = s.recommendations.length
    ? html`<h3>Recommendations</h3><ul class="recommendations">${capped(s.recommendations, MAX_RECOMMENDATIONS, (r) => html`<li>${clipped(r)}</li>`, "recommendations")}</ul>`
    : "";
  const errors = s.errors.length
    ? html`<h3>Sources that failed</h3><ul class="errors">${s.errors.map((e) => html`<li><strong>${e.source}</strong>: ${clipped(e.message)}</li>`)}</ul>`
    : "";
  return html`<section id="findings"><h2>Findings</h2>${findings}${recommendations}${errors}</section>`;
}

export function healthSection(s: Snapshot): Html {
  const h = s.health;
  const deductions = h.deductions.length
    ? html`<div class="scroll"><table><thead><tr><th>Deduction</th><th class="num">Points</th></tr></thead><tbody>${h.deductions.map(
        (d) => html`<tr data-deduction="${d.code}"><td>${d.reason}</td><td class="num">−${String(d.points)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="note">No deductions.</p>`;
  return html`<section id="health"><h2>Health <span class="score status-${h.status}">${String(h.score)} / 100 · ${h.status}</span></h2>${deductions}</section>`;
}

/** The alert states as GET /api/v1/alerts reports them for one target. */
export interface AlertsView {
  enabled: boolean;
  detail?: string;
  alerts: Array<{ alertname: string; severity: string; state: string; since: string; message: string }>;
}

export function alertsSection(view: AlertsView): Html {
  if (!view.enabled)
    return html`<section id="alerts"><h2>Alerts</h2><p class="note">${view.detail ?? "The built-in alerting is off."}</p></section>`;
  const alerts = view.alerts.filter((a) => a.state !== "inactive");
  const body = alerts.length
    ? html`<div class="scroll"><table class="stack"><thead><tr><th>Alert</th><th>Severity</th><th>State</th><th>Since</th><th>Message</th></tr></thead><tbody>${alerts.map(
        (a) =>
          html`<tr data-alert="${a.alertname}"><td>${a.alertname}</td><td>${severityBadge(a.severity)}</td><td class="state-${a.state}">${a.state}</td><td>${timeText(a.since)}</td><td class="wide">${clipped(a.message)}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="note">No alert pending or firing.</p>`;
  return html`<section id="alerts"><h2>Alerts</h2>${body}</section>`;
}
