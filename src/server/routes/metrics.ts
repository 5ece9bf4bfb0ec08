import type { Router } from "@koa/router";
import { CONTENT_TYPES, type ExpositionFormat } from "../../metrics/exporter";
import type { ServerDeps } from "../context";

/** Media types as scrapers send them; the version parameter must match to be chosen. */
const OFFERS = ["text/plain; version=0.0.4", "application/openmetrics-text; version=1.0.0", "application/openmetrics-text; version=0.0.1"];

export function metricsRoutes(router: Router, deps: ServerDeps): void {
  router.get("/metrics", async (ctx) => {
    const preferred = ctx.accepts(OFFERS);
    const format: ExpositionFormat =
      typeof preferred === "string" && preferred.startsWith("application/openmetrics-text") ? "openmetrics" : "prometheus";
    const exposition = await deps.exporter.render(format);
    ctx.type = CONTENT_TYPES[format];
    ctx.vary("Accept-Encoding");
    if (ctx.acceptsEncodings("gzip", "identity") === "gzip") {
      ctx.set("Content-Encoding", "gzip");
      ctx.body = await exposition.gzip();
    } else {
      ctx.body = exposition.body;
    }
  });
}
