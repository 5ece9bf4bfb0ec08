import type { Snapshot } from "../snapshot/schema";
import { chartData } from "./chart-data";
import { renderDocument } from "./document";
import { attributionSection, historySection, summarySection } from "./figure-sections";
import { html, timeText, type Html } from "./html";
import { alertsSection, collectionsSection, findingsSection, healthSection, type AlertsView } from "./table-sections";

/** Seconds between the live page's checks; a check answered 304 costs a few hundred bytes. */
export const POLL_SECONDS = 3;

export interface LivePageInput {
  targets: string[];
  target: string;
  /** The target's snapshots, oldest first; empty before its first sample. */
  history: Snapshot[];
  alerts: AlertsView;
}

function targetNav(targets: string[], current: string): Html {
  if (targets.length < 2) return html``;
  return html`<nav class="targets" aria-label="Targets">${targets.map(
    (t) => html`<a href="?target=${encodeURIComponent(t)}"${t === current ? html` aria-current="page"` : ""}>${t}</a>`,
  )}</nav>`;
}

export function header(title: string, nav: Html): Html {
  return html`<h1>${title}</h1>${nav}<span class="live" id="live-status" role="status"></span>`;
}

/** The line that says what was sampled and when. */
export function sampledLine(s: Snapshot): Html {
  const t = s.target;
  const state = t.up ? "up" : "down";
  return html`<p class="when" data-timestamp="${s.timestamp}">Target <strong>${t.name}</strong> (${t.kind}${
    t.pid === null ? "" : html`, pid ${String(t.pid)}`
  }, <span class="up-down">${state}</span>) · sampled ${timeText(s.timestamp)}</p>`;
}

/** The pictures of one snapshot and its history, then what `between` adds, then the details; shared with the report. */
export function snapshotSections(latest: Snapshot, historyPoints: number, between: Html): Html {
  return html`${summarySection(latest)}${attributionSection(latest)}${historySection(latest, historyPoints)}${between}${findingsSection(
    latest,
  )}${healthSection(latest)}${collectionsSection(latest)}`;
}

/** GET /: the latest snapshot of one target, its history and its alerts. */
export function renderLivePage(input: LivePageInput): string {
  const latest = input.history.at(-1);
  const main =
    latest === undefined
      ? html`<section id="waiting"><h2>Waiting for the first sample</h2><p class="note">memsnap has not sampled ${input.target} yet; this page updates itself when it has.</p></section>`
      : html`${sampledLine(latest)}${snapshotSections(latest, input.history.length, alertsSection(input.alerts))}`;
  return renderDocument({
    title: `memsnap · ${input.target}`,
    header: header("memsnap", targetNav(input.targets, input.target)),
    main,
    chart: chartData(input.history),
    pollSeconds: POLL_SECONDS,
    assets: { kind: "linked", base: "/assets/" },
  });
}
