import type { Router } from "@koa/router";
import type { ServerDeps } from "../context";

export function healthRoutes(router: Router, deps: ServerDeps): void {
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });
  router.get("/readyz", (ctx) => {
    const ready = deps.isReady();
    ctx.status = ready ? 200 : 503;
    ctx.body = ready
      ? { status: "ready" }
      : { status: "starting", detail: "waiting for the first sample of every target" };
  });
}
