import type { IncomingWebhookSendArguments } from "@slack/webhook";
import type { AlertedSeverity } from "../config/alerting";
import type { NotificationKind } from "./state";

/** What a person needs to act on one alert notification. */
export interface AlertFacts {
  kind: NotificationKind;
  target: string;
  alertname: string;
  severity: AlertedSeverity;
  message: string;
  value: number | null;
  threshold: number | null;
  /** When the alert entered its current phase: firing since, or resolved at. */
  since: string;
  healthScore: number | null;
  healthStatus: string | null;
  recommendations: string[];
  snapshotUrl: string;
  /** The alert's section of the runbook, absolute (MEMSNAP_RUNBOOK_BASE_URL). */
  runbookUrl: string;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  slack: IncomingWebhookSendArguments;
}

/** One message, before it is written out as plain text, HTML or Slack Block Kit. */
interface Layout {
  subject: string;
  title: string;
  headline: string;
  fields: Array<[label: string, value: string]>;
  recommendations: string[];
  links: Array<{ url: string; label: string }>;
  color: string;
}

const TOP_RECOMMENDATIONS = 3;
const SLACK_HEADER_MAX_CHARS = 150;

const COLORS = { critical: "#E01E5A", warning: "#ECB22E", resolved: "#2EB67D", test: "#36C5F0" };

/** The unit of a finding's value and threshold, by code; codes not listed show bare numbers. */
const UNITS: Record<string, string> = {
  OverheadCritical: " %",
  OverheadHigh: " %",
  UnaccountedMemoryCritical: " MB",
  HealthScoreCritical: " / 100",
  LowQuantizationCoverage: " %",
  HostMemoryHigh: " %",
  LargeCollectionUnoptimized: " vectors",
  TargetDown: " (1 = up)",
};

export function snapshotUrl(baseUrl: string, target: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/api/v1/memory-snapshot?target=${encodeURIComponent(target)}`;
}

const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, " ");

function figure(value: number | null, alertname: string): string {
  return value === null ? "unknown" : `${value}${UNITS[alertname] ?? ""}`;
}

function title(f: AlertFacts): string {
  const severity = f.severity.toUpperCase();
  const state = { firing: severity, reminder: `STILL ${severity}`, resolved: "RESOLVED" }[f.kind];
  return `${state}: ${f.alertname} on ${f.target}`;
}

function alertLayout(f: AlertFacts): Layout {
  const resolved = f.kind === "resolved";
  const health = f.healthScore === null ? "unknown" : `${f.healthScore} / 100 (${f.healthStatus})`;
  return {
    subject: `[memsnap] ${oneLine(title(f))}`,
    title: title(f),
    headline: resolved ? `Recovered. It was: ${f.message}` : f.message,
    fields: [
      [resolved ? "Last value while firing" : "Value", figure(f.value, f.alertname)],
      ["Threshold", figure(f.threshold, f.alertname)],
      [resolved ? "Health score now" : "Health score", health],
      [resolved ? "Resolved at" : "Firing since", f.since],
    ],
    recommendations: f.recommendations.slice(0, TOP_RECOMMENDATIONS),
    links: [
      { url: f.snapshotUrl, label: "Open the memory snapshot" },
      { url: f.runbookUrl, label: "Runbook" },
    ],
    color: resolved ? COLORS.resolved : COLORS[f.severity],
  };
}

function testLayout(channel: string, baseUrl: string | null): Layout {
  return {
    subject: "[memsnap TEST] Alert wiring check: no alert is firing",
    title: "TEST: memsnap alert wiring check",
    headline: `This is a test message sent by \`memsnap alerts test --channel ${channel}\`. If you can read it, memsnap's ${channel} alerts reach you. No alert is firing.`,
    fields: [["Sent at", new Date().toISOString()]],
    recommendations: [],
    links: baseUrl === null ? [] : [{ url: `${baseUrl.replace(/\/+$/, "")}/api/v1/alerts`, label: "Alert states" }],
    color: COLORS.test,
  };
}

function renderText(l: Layout): string {
  const width = Math.max(...l.fields.map(([label]) => label.length)) + 2;
  const lines = [l.title, "", l.headline, "", ...l.fields.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}`)];
  if (l.recommendations.length > 0) lines.push("", "Top recommendations:", ...l.recommendations.map((r, i) => `  ${i + 1}. ${r}`));
  if (l.links.length > 0) lines.push("", ...l.links.map((link) => `${link.label}: ${link.url}`));
  return `${lines.join("\n")}\n`;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

function renderHtml(l: Layout): string {
  const rows = l.fields.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
  const parts = [
    `<h2 style="border-left:6px solid ${l.color};padding-left:8px">${escapeHtml(l.title)}</h2>`,
    `<p>${escapeHtml(l.headline)}</p>`,
    `<table cellpadding="4">${rows.join("")}</table>`,
  ];
  if (l.recommendations.length > 0) {
    parts.push("<h3>Top recommendations</h3>", `<ol>${l.recommendations.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ol>`);
  }
  for (const link of l.links) parts.push(`<p><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></p>`);
  return `<!doctype html><html><body>${parts.join("\n")}</body></html>\n`;
}

/** Slack mrkdwn treats &, < and > as control characters. */
const escapeSlack = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function renderSlack(l: Layout): IncomingWebhookSendArguments {
  const header = oneLine(l.title).slice(0, SLACK_HEADER_MAX_CHARS);
  const blocks: NonNullable<IncomingWebhookSendArguments["blocks"]> = [
    { type: "header", text: { type: "plain_text", text: header } },
    { type: "section", text: { type: "mrkdwn", text: escapeSlack(l.headline) } },
    { type: "section", fields: l.fields.map(([label, value]) => ({ type: "mrkdwn" as const, text: `*${label}*\n${escapeSlack(value)}` })) },
  ];
  if (l.recommendations.length > 0) {
    const list = l.recommendations.map((r, i) => `${i + 1}. ${escapeSlack(r)}`).join("\n");
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `*Top recommendations*\n${list}` } });
  }
  if (l.links.length > 0) {
    blocks.push({ type: "context", elements: l.links.map((link) => ({ type: "mrkdwn" as const, text: `<${link.url}|${link.label}>` })) });
  }
  return { text: oneLine(l.subject), attachments: [{ color: l.color, fallback: oneLine(l.subject), blocks }] };
}

function render(l: Layout): RenderedMessage {
  return { subject: l.subject, text: renderText(l), html: renderHtml(l), slack: renderSlack(l) };
}

export function renderAlert(facts: AlertFacts): RenderedMessage {
  return render(alertLayout(facts));
}

/** The clearly marked message of `memsnap alerts test`; links to the alert states when a URL is known. */
export function renderTest(channel: string, baseUrl: string | null): RenderedMessage {
  return render(testLayout(channel, baseUrl));
}
