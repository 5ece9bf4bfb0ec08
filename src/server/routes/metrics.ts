import type { Router } from "@koa/router";
import type { Context } from "koa";
import { CONTENT_TYPES, type ExpositionFormat } from "../../metrics/exporter";
import type { ServerDeps } from "../context";

/** Media types as scrapers send them; the version parameter must match to be chosen. */
const OFFERS = [
  "text/plain; version=0.0.4",
  "application/openmetrics-text; version=1.0.0",
  "application/openmetrics-text; version=0.0.1",
];
/** Distinct Accept headers whose negotiation is remembered; a scraper sends the same one every time. */
const MAX_REMEMBERED_ACCEPT_HEADERS = 16;

function negotiate(ctx: Context): ExpositionFormat {
  const preferred = ctx.accepts(OFFERS);
  return typeof preferred === "string" && preferred.startsWith("application/openmetrics-text")
    ? "openmetrics"
    : "prometheus";
}

export function metricsRoutes(router: Router, deps: ServerDeps): void {
  const formatByAccept = new Map<string, ExpositionFormat>();
  const formatFor = (ctx: Context): ExpositionFormat => {
    const accept = ctx.get("Accept");
    let format = formatByAccept.get(accept);
    if (format === undefined) {
      format = negotiate(ctx);
      if (formatByAccept.size < MAX_REMEMBERED_ACCEPT_HEADERS) formatByAccept.set(accept, format);
    }
    return format;
  };

  router.get("/metrics", async (ctx) => {
    const format = formatFor(ctx);
    const gzip = ctx.acceptsEncodings("gzip", "identity") === "gzip";
    const exposition = await deps.exporter.render(format, { gzip });
    ctx.type = CONTENT_TYPES[format];
    ctx.vary("Accept-Encoding");
    if (gzip) {
      ctx.set("Content-Encoding", "gzip");
      ctx.body = await exposition.gzip();
    } else {
      ctx.body = exposition.body;
    }
  });
}
