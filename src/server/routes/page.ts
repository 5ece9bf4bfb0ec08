import type { Router } from "@koa/router";
import type { Context } from "koa";
import { contentTag, gzipAsync, pageAssets } from "../../page/assets";
import { PAGE_CSP } from "../../page/document";
import { renderLivePage } from "../../page/live-page";
import { renderTargetNotFound } from "../../page/not-found";
import type { AlertsView } from "../../page/table-sections";
import type { ServerDeps } from "../context";
import { NotFound } from "../errors";
import { targetParam } from "../params";

const GZIP_MIN_BYTES = 1024;

function secureHeaders(ctx: Context): void {
  ctx.set("Content-Security-Policy", PAGE_CSP);
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.set("Referrer-Policy", "no-referrer");
}

/** Answers 304 when the client has this version; else the body, gzipped when the client takes it. */
async function send(
  ctx: Context,
  type: string,
  body: Buffer,
  etag: string,
  gzipped: () => Buffer | Promise<Buffer>,
): Promise<void> {
  ctx.type = type;
  ctx.etag = etag;
  ctx.set("Cache-Control", "no-cache");
  ctx.vary("Accept-Encoding");
  ctx.status = 200;
  if (ctx.fresh) {
    ctx.status = 304;
    return;
  }
  if (body.length >= GZIP_MIN_BYTES && ctx.acceptsEncodings("gzip", "identity") === "gzip") {
    ctx.set("Content-Encoding", "gzip");
    ctx.body = await gzipped();
  } else {
    ctx.body = body;
  }
}

function alertsView(deps: ServerDeps, target: string): AlertsView {
  return (
    deps.alerter?.report(target) ?? {
      enabled: false,
      detail: "The built-in alerting is off (MEMSNAP_ALERTS=off).",
      alerts: [],
    }
  );
}

/** GET / (the page for people, SPEC 5) and the files it loads, all served by memsnap itself. */
export function pageRoutes(router: Router, deps: ServerDeps): void {
  router.get("/", async (ctx) => {
    secureHeaders(ctx);
    let target: string;
    try {
      target = targetParam(ctx.query, deps);
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
      ctx.status = 404;
      ctx.type = "text/html; charset=utf-8";
      ctx.body = renderTargetNotFound(String(ctx.query.target), deps.targetNames);
      return;
    }
    const text = renderLivePage({
      targets: deps.targetNames,
      target,
      history: deps.history.recent(target, deps.config.history_size),
      alerts: alertsView(deps, target),
    });
    const body = Buffer.from(text);
    await send(ctx, "text/html; charset=utf-8", body, contentTag(body), () => gzipAsync(body));
  });

  router.get("/assets/:name", async (ctx) => {
    const asset = pageAssets().get(ctx.params.name);
    if (asset === undefined) throw new NotFound("no_such_asset", `no asset named ${JSON.stringify(ctx.params.name)}`);
    secureHeaders(ctx);
    await send(ctx, asset.type, asset.body, asset.etag, () => asset.gzip);
  });
}
