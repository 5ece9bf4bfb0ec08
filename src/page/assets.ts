import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gzip, gzipSync } from "node:zlib";
import { PACKAGE_ROOT } from "../package-root";
import { PAGE_CSS } from "./style";

/** A file the page loads, served by memsnap itself: nothing comes from elsewhere. */
export interface Asset {
  name: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

/** Where each asset comes from: uPlot from its npm package, the page's script from the build (web/). */
const SOURCES: Array<{ name: string; type: string; read: () => string }> = [
  {
    name: "uPlot.min.css",
    type: "text/css; charset=utf-8",
    read: () => readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
  },
  { name: "page.css", type: "text/css; charset=utf-8", read: () => PAGE_CSS },
  {
    name: "uPlot.min.js",
    type: "text/javascript; charset=utf-8",
    read: () => readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
  },
  { name: "favicon.svg", type: "image/svg+xml", read: () => FAVICON_SVG },
  { name: "page.js", type: "text/javascript; charset=utf-8", read: readPageScript },
];

/** Three bars of rising memory. */
const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f5fbf"/>' +
  '<rect x="3" y="9" width="2.5" height="4" fill="#fff"/><rect x="6.75" y="6" width="2.5" height="7" fill="#fff"/>' +
  '<rect x="10.5" y="3" width="2.5" height="10" fill="#d1453b"/></svg>';

function readPageScript(): string {
  const file = path.join(PACKAGE_ROOT, "dist/web/page.js");
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`the page's script ${file} is missing (${(err as Error).message}): run npm run build`, {
      cause: err,
    });
  }
}

/** A strong ETag from the content itself. */
export function contentTag(body: Buffer): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
}

export const gzipAsync = promisify(gzip);

function asset(name: string, type: string, text: string): Asset {
  const body = Buffer.from(text);
  return { name, type, body, gzip: gzipSync(body, { level: 9 }), etag: contentTag(body) };
}

let loaded: Map<string, Asset> | null = null;

/** The assets by name, read once. */
export function pageAssets(): Map<string, Asset> {
  loaded ??= new Map(SOURCES.map((s) => [s.name, asset(s.name, s.type, s.read())]));
  return loaded;
}

export const STYLESHEETS = ["uPlot.min.css", "page.css"];
export const SCRIPTS = ["uPlot.min.js", "page.js"];

/** The CSP source of an inline block: its SHA-256, so that nothing else inline may run. */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
}
