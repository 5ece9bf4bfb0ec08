import type { Router } from "@koa/router";
import type { ServerDeps } from "../context";
import { targetParam } from "../params";

export function alertRoutes(router: Router, deps: ServerDeps): void {
  router.get("/api/v1/alerts", (ctx) => {
    const target = ctx.query.target === undefined ? undefined : targetParam(ctx.query, deps);
    ctx.body = deps.alerter?.report(target) ?? {
      enabled: false,
      detail: "the built-in alerting is off (MEMSNAP_ALERTS=off)",
      routes: [],
      alerts: [],
    };
  });
}
