import type { FigureChange, FindingRef, SnapshotComparison } from "../snapshot/compare";
import { clipped, html, timeText, type Html } from "./html";

const UNKNOWN = "unknown";

function figureText(value: number | null): string {
  if (value === null) return UNKNOWN;
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(1);
}

function signedText(value: number | null): string {
  return value === null ? UNKNOWN : `${value > 0 ? "+" : ""}${figureText(value)}`;
}

function figureRows(figures: FigureChange[]): Html {
  if (figures.length === 0) return html``;
  return html`<h3>Figures that changed</h3><div class="scroll"><table><thead><tr><th>Section</th><th>Figure</th><th class="num">Before</th><th class="num">After</th><th class="num">Change</th><th class="num">%</th></tr></thead><tbody>${figures.map(
    (f) =>
      html`<tr data-figure-change="${f.section}.${f.figure}"><td>${f.section}</td><td>${f.figure}</td><td class="num">${figureText(f.old)}</td><td class="num">${figureText(
        f.new,
      )}</td><td class="num">${signedText(f.change)}</td><td class="num">${f.change_percent === null ? "" : `${signedText(f.change_percent)} %`}</td></tr>`,
  )}</tbody></table></div>`;
}

function findingList(title: string, refs: FindingRef[]): Html {
  if (refs.length === 0) return html``;
  return html`<h3>${title}</h3><ul class="findings">${refs.map(
    (f) =>
      html`<li><span class="badge sev-${f.severity}">${f.severity}</span> <strong>${f.code}</strong>${f.collection ? html` (${f.collection})` : ""}: ${clipped(f.message)}</li>`,
  )}</ul>`;
}

function collectionChanges(c: SnapshotComparison): Html {
  const names = (label: string, list: string[]) =>
    list.length ? html`<p><strong>${label}:</strong> ${list.join(", ")}</p>` : "";
  const changed = c.collections_changed.length
    ? html`<h3>Collections changed</h3><ul>${c.collections_changed.map((change) => {
        const parts = [
          ...(change.quantization === null
            ? []
            : [`quantization ${change.quantization.old} → ${change.quantization.new}`]),
          ...change.figures.map((f) => `${f.figure} ${figureText(f.old)} → ${figureText(f.new)}`),
        ];
        return html`<li><strong>${change.name}</strong>: ${parts.join("; ")}</li>`;
      })}</ul>`
    : "";
  return html`${names("Collections added", c.collections_added)}${names("Collections removed", c.collections_removed)}${changed}`;
}

/** The comparison of two snapshots (src/snapshot/compare.ts) as a section: the before and after of a change. */
export function comparisonSection(c: SnapshotComparison): Html {
  const h = c.health;
  return html`<section id="comparison"><h2>Comparison: ${timeText(c.old.timestamp)} → ${timeText(c.new.timestamp)}</h2>
<p data-health-change="${String(h.change)}">Health ${String(h.old_score)} (${h.old_status}) → <strong>${String(h.new_score)} (${h.new_status})</strong>, ${signedText(h.change)} points.</p>
${figureRows(c.figures)}${findingList("Findings that appeared", c.findings_appeared)}${findingList("Findings that cleared", c.findings_cleared)}${collectionChanges(c)}</section>`;
}
