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
    ctx.type = CONTENT_TYPES[format];
    ctx.body = await deps.exporter.render(format);
  });
}
