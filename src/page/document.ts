import { cspHash, pageAssets, SCRIPTS, STYLESHEETS, type Asset } from "./assets";
import { Html, html, jsonBlock } from "./html";
import type { ChartData } from "./chart-data";

/** How the page's assets arrive: linked from memsnap's own routes, or inline in one file (the report). */
export type AssetMode = { kind: "linked"; base: string } | { kind: "inline" };

export interface DocumentParts {
  title: string;
  header: Html;
  /** The sections of <main>; the chart's data goes at its end, so that a live update replaces both. */
  main: Html;
  chart: ChartData;
  /** Seconds between the live page's checks for a new sample; null for a document that does not change. */
  pollSeconds: number | null;
  assets: AssetMode;
}

/** The policy of the served page: only memsnap's own scripts, styles and requests. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** An asset's text as the content of its inline element, which must not close that element early. */
function inlineText(text: string): Html {
  if (/<\/(script|style)/i.test(text))
    throw new Error("an asset holds a closing </script> or </style> and cannot be inlined");
  return new Html(text);
}

function assetText(assets: Map<string, Asset>, name: string): string {
  const found = assets.get(name);
  if (found === undefined) throw new Error(`the page asset ${name} is not among the page's assets`);
  return found.body.toString();
}

function assetTags(mode: AssetMode): { head: Html; csp: Html } {
  const assets = pageAssets();
  if (mode.kind === "linked") {
    return {
      head: html`<link rel="icon" href="${mode.base}favicon.svg" type="image/svg+xml">${STYLESHEETS.map((n) => html`<link rel="stylesheet" href="${mode.base}${n}">`)}${SCRIPTS.map(
        (n) => html`<script defer src="${mode.base}${n}"></script>`,
      )}`,
      csp: html``,
    };
  }
  const styles = STYLESHEETS.map((n) => assetText(assets, n));
  const scripts = SCRIPTS.map((n) => assetText(assets, n));
  // A file opened from disk has no headers: the policy travels in a meta tag and allows no request at all.
  const policy = `default-src 'none'; script-src ${scripts.map(cspHash).join(" ")}; style-src ${styles.map(cspHash).join(" ")}; base-uri 'none'; form-action 'none'`;
  return {
    head: html`${styles.map((s) => html`<style>${inlineText(s)}</style>`)}${scripts.map((s) => html`<script>${inlineText(s)}</script>`)}`,
    csp: html`<meta http-equiv="Content-Security-Policy" content="${policy}">`,
  };
}

/** The whole document; the same shell for the live page and the report. */
export function renderDocument(parts: DocumentParts): string {
  const tags = assetTags(parts.assets);
  const live = parts.pollSeconds === null ? "false" : "true";
  return `<!doctype html>\n${
    html`<html lang="en"><head><meta charset="utf-8">${tags.csp}<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${parts.title}</title>${tags.head}</head>
<body data-live="${live}" data-poll-seconds="${parts.pollSeconds === null ? "" : String(parts.pollSeconds)}">
<header>${parts.header}</header>
<main>${parts.main}
<script type="application/json" id="memsnap-data">${jsonBlock({ chart: parts.chart })}</script>
</main>
<footer>memsnap · every figure on this page is also in the JSON snapshot (GET /api/v1/memory-snapshot)</footer>
</body></html>`.text
  }\n`;
}
