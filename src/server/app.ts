import { bodyParser } from "@koa/bodyparser";
import Router from "@koa/router";
import Koa from "koa";
import { requireWriteAccess } from "./auth";
import type { ServerDeps } from "./context";
import { BadRequest, errorMiddleware, HttpError } from "./errors";
import { alertRoutes } from "./routes/alerts";
import { exportRoutes } from "./routes/export";
import { healthRoutes } from "./routes/health";
import { metricsRoutes } from "./routes/metrics";
import { pageRoutes } from "./routes/page";
import { snapshotRoutes } from "./routes/snapshot";

const MAX_BODY_BYTES = 64 * 1024;

function jsonBodies() {
  return bodyParser({
    enableTypes: ["json"],
    jsonLimit: MAX_BODY_BYTES,
    jsonStrict: true,
    onError(err) {
      if ((err as { status?: number }).status === 413) {
        throw new HttpError(413, "body_too_large", `the body is over ${MAX_BODY_BYTES / 1024} KiB`, {
          limit_bytes: MAX_BODY_BYTES,
        });
      }
      throw new BadRequest("malformed_json", `the body is not valid JSON: ${err.message}`);
    },
  });
}

/** The HTTP API of SPEC section 5: thin routes over the daemon's state. */
export function createApp(deps: ServerDeps): Koa {
  const app = new Koa();
  const router = new Router();
  const guard = requireWriteAccess(deps.config.api_token, () => deps.boundAddress?.() ?? null);
  metricsRoutes(router, deps);
  healthRoutes(router, deps);
  snapshotRoutes(router, deps);
  alertRoutes(router, deps);
  pageRoutes(router, deps);
  exportRoutes(router, deps, [guard, jsonBodies()]);
  app.use(errorMiddleware(deps.log));
  if (deps.basicAuth !== undefined) app.use(deps.basicAuth.middleware());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
