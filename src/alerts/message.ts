import { runbookUrl } from "../runbook";
import { snapshotUrl, type AlertFacts, type Notification } from "./notification";

/** One message, before a channel writes it out as plain text, HTML, Block Kit or JSON. */
export interface Layout {
  subject: string;
  title: string;
  headline: string;
  fields: Array<[label: string, value: string]>;
  /** The other alerts of the notification, one line each, under `othersLabel`. */
  others: string[];
  othersLabel: string;
  recommendations: string[];
  links: Array<{ url: string; label: string }>;
  color: string;
}

const TOP_RECOMMENDATIONS = 3;

const COLORS = { critical: "#E01E5A", warning: "#ECB22E", resolved: "#2EB67D", test: "#36C5F0" };

export const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, " ");

export function figure(value: number | null, unit: string): string {
  return value === null ? "unknown" : `${value}${unit}`;
}

function title(n: Notification, top: AlertFacts): string {
  const severity = top.severity.toUpperCase();
  const state = { firing: severity, reminder: `STILL ${severity}`, resolved: "RESOLVED", test: "TEST" }[n.kind];
  return `${state}: ${n.alerts.map((a) => a.alertname).join(", ")} on ${n.target}`;
}

function alertLayout(n: Notification, top: AlertFacts): Layout {
  const resolved = n.kind === "resolved";
  const health = n.healthScore === null ? "unknown" : `${n.healthScore} / 100 (${n.healthStatus})`;
  return {
    subject: `[memsnap] ${oneLine(title(n, top))}`,
    title: title(n, top),
    headline: resolved ? `Recovered. It was: ${top.message}` : top.message,
    fields: [
      [resolved ? "Last value while firing" : "Value", figure(top.value, top.unit)],
      ["Threshold", figure(top.threshold, top.unit)],
      [resolved ? "Health score now" : "Health score", health],
      [resolved ? "Resolved at" : "Firing since", resolved ? (top.endsAt ?? n.createdAt) : top.startsAt],
    ],
    others: n.alerts.slice(1).map((a) => `${a.alertname} (${a.severity}): ${a.message}`),
    othersLabel: resolved ? "Also resolved" : "Also firing",
    recommendations: n.recommendations.slice(0, TOP_RECOMMENDATIONS),
    links: [
      ...(n.externalUrl === null || n.target === null
        ? []
        : [{ url: snapshotUrl(n.externalUrl, n.target), label: "Open the memory snapshot" }]),
      ...(n.runbookBaseUrl === undefined
        ? []
        : [{ url: runbookUrl(n.runbookBaseUrl, top.alertname), label: "Runbook" }]),
    ],
    color: resolved ? COLORS.resolved : COLORS[top.severity],
  };
}

function testLayout(n: Notification, channel: string): Layout {
  return {
    subject: "[memsnap TEST] Alert wiring check: no alert is firing",
    title: "TEST: memsnap alert wiring check",
    headline: `This is a test message sent by \`memsnap alerts test --channel ${channel}\`. If you can read it, memsnap's ${channel} alerts reach you. No alert is firing.`,
    fields: [["Sent at", n.createdAt]],
    others: [],
    othersLabel: "",
    recommendations: [],
    links:
      n.externalUrl === null
        ? []
        : [{ url: `${n.externalUrl.replace(/\/+$/, "")}/api/v1/alerts`, label: "Alert states" }],
    color: COLORS.test,
  };
}

/** How `channel` lays a notification out: the top alert's figures, then every other alert of it. */
export function layoutOf(n: Notification, channel: string): Layout {
  const top = n.alerts.at(0);
  return n.kind === "test" || top === undefined ? testLayout(n, channel) : alertLayout(n, top);
}

export function renderText(l: Layout): string {
  const width = Math.max(...l.fields.map(([label]) => label.length)) + 2;
  const lines = [
    l.title,
    "",
    l.headline,
    "",
    ...l.fields.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`),
  ];
  if (l.others.length > 0) lines.push("", `${l.othersLabel}:`, ...l.others.map((o) => `  - ${o}`));
  if (l.recommendations.length > 0)
    lines.push("", "Top recommendations:", ...l.recommendations.map((r, i) => `  ${i + 1}. ${r}`));
  if (l.links.length > 0) lines.push("", ...l.links.map((link) => `${link.label}: ${link.url}`));
  return `${lines.join("\n")}\n`;
}

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

export function renderHtml(l: Layout): string {
  const rows = l.fields.map(
    ([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
  );
  const parts = [
    `<h2 style="border-left:6px solid ${l.color};padding-left:8px">${escapeHtml(l.title)}</h2>`,
    `<p>${escapeHtml(l.headline)}</p>`,
    `<table cellpadding="4">${rows.join("")}</table>`,
  ];
  if (l.others.length > 0) {
    parts.push(
      `<h3>${escapeHtml(l.othersLabel)}</h3>`,
      `<ul>${l.others.map((o) => `<li>${escapeHtml(o)}</li>`).join("")}</ul>`,
    );
  }
  if (l.recommendations.length > 0) {
    parts.push(
      "<h3>Top recommendations</h3>",
      `<ol>${l.recommendations.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ol>`,
    );
  }
  for (const link of l.links) parts.push(`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`);
  return `<!doctype html><html><body>${parts.join("\n")}</body></html>\n`;
}
