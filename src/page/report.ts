import { compareSnapshots } from "../snapshot/compare";
import type { Snapshot } from "../snapshot/schema";
import { chartData } from "./chart-data";
import { comparisonSection } from "./comparison-section";
import { renderDocument } from "./document";
import { bytesText, html, timeText, type Html } from "./html";
import { header, sampledLine, snapshotSections } from "./live-page";

/** "1 critical, 2 warning": a sample's findings by severity, short at any number of collections. */
function findingCounts(s: Snapshot): string {
  const counts = new Map<string, number>();
  for (const f of s.findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  return [...counts].map(([severity, n]) => `${n} ${severity}`).join(", ") || "none";
}

function samplesSection(snapshots: Snapshot[]): Html {
  const rows = snapshots.map(
    (s, i) =>
      html`<tr data-sample="${String(i)}"><td>${String(i + 1)}</td><td>${timeText(s.timestamp)}</td><td class="num" data-bytes="${String(
        s.process_info.physical_memory_bytes ?? "",
      )}">${bytesText(s.process_info.physical_memory_bytes)}</td><td class="num">${bytesText(s.discrepancy_analysis.unaccounted_memory_bytes)}</td><td class="num">${String(
        s.health.score,
      )}</td><td>${findingCounts(s)}</td></tr>`,
  );
  return html`<section id="samples"><h2>Samples</h2><div class="scroll"><table><thead><tr><th>#</th><th>Time</th><th class="num">RSS</th><th class="num">Unaccounted</th><th class="num">Health</th><th>Findings</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

/** Findings (by code and collection) past this are counted, not listed. */
const MAX_FINDING_ROWS = 100;

interface FindingSeen {
  severity: string;
  code: string;
  collection: string | undefined;
  first: string;
  last: string;
  samples: number;
}

/** Each finding (by code and collection): when it was first and last seen, and in how many samples. */
function findingsOverTime(snapshots: Snapshot[]): Html {
  const seen = new Map<string, FindingSeen>();
  for (const s of snapshots) {
    for (const f of s.findings) {
      const key = `${f.code}\u0000${f.collection ?? ""}`;
      const entry = seen.get(key) ?? {
        severity: f.severity,
        code: f.code,
        collection: f.collection,
        first: s.timestamp,
        last: s.timestamp,
        samples: 0,
      };
      entry.last = s.timestamp;
      entry.severity = f.severity;
      entry.samples += 1;
      seen.set(key, entry);
    }
  }
  if (seen.size === 0)
    return html`<section id="findings-over-time"><h2>Findings over time</h2><p class="note">No findings in any sample.</p></section>`;
  const all = [...seen.values()];
  const rows = all
    .slice(0, MAX_FINDING_ROWS)
    .map(
      (f) =>
        html`<tr data-finding="${f.code}"><td><span class="badge sev-${f.severity}">${f.severity}</span></td><td>${f.code}${
          f.collection ? ` (${f.collection})` : ""
        }</td><td>${timeText(f.first)}</td><td>${timeText(f.last)}</td><td class="num">${String(f.samples)} of ${String(snapshots.length)}</td></tr>`,
    );
  const rest = all.length - MAX_FINDING_ROWS;
  const note =
    rest > 0 ? html`<p class="note">And ${String(rest)} more findings; every sample's are in its snapshot.</p>` : "";
  return html`<section id="findings-over-time"><h2>Findings over time</h2>${note}<div class="scroll"><table><thead><tr><th>Severity</th><th>Finding</th><th>First seen</th><th>Last seen</th><th class="num">In samples</th></tr></thead><tbody>${rows}</tbody></table></div></section>`;
}

/**
 * One self-contained HTML file from snapshots of one target, oldest first: the page's pictures
 * for the latest, the samples, the findings over time and, with two or more, the first against the last.
 */
export function renderReport(snapshots: Snapshot[], source: string, generatedAt: Date): string {
  const latest = snapshots[snapshots.length - 1];
  const first = snapshots[0];
  const comparison = snapshots.length >= 2 ? comparisonSection(compareSnapshots(first, latest)) : "";
  const main = html`${sampledLine(latest)}<p class="note">Report of ${String(snapshots.length)} sample${
    snapshots.length === 1 ? "" : "s"
  } from ${source}, ${timeText(first.timestamp)} to ${timeText(latest.timestamp)}; made ${timeText(generatedAt.toISOString())}.</p>${snapshotSections(
    latest,
    snapshots.length,
    html`${comparison}${samplesSection(snapshots)}${findingsOverTime(snapshots)}`,
  )}`;
  return renderDocument({
    title: `memsnap report · ${latest.target.name}`,
    header: header(`memsnap report · ${latest.target.name}`, html``),
    main,
    chart: chartData(snapshots),
    pollSeconds: null,
    assets: { kind: "inline" },
  });
}
