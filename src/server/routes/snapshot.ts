import type { ParsedUrlQuery } from "node:querystring";
import type { Router } from "@koa/router";
import type { Snapshot } from "../../snapshot/schema";
import type { ServerDeps } from "../context";
import { BadRequest, HttpError } from "../errors";
import { historyStream, type HistoryDetail } from "../history-json";
import { booleanParam, integerParam, targetParam } from "../params";

const DEFAULT_HISTORY_LIMIT = 20;
/** Full snapshots hold every collection: at 10 000 collections a few MB each, so fewer per answer. */
const MAX_FULL_HISTORY_LIMIT = 60;

function detailParam(query: ParsedUrlQuery): HistoryDetail {
  const value = query.detail;
  if (value === undefined || value === "summary") return "summary";
  if (value === "full") return "full";
  throw new BadRequest("bad_parameter", "?detail= must be summary (the default: no collections_detail) or full", {
    parameter: "detail",
    value,
  });
}

/** A snapshot does not change once taken, so each is serialised once, on its first request. */
const serialised = new WeakMap<Snapshot, Buffer>();

function snapshotJson(snapshot: Snapshot): Buffer {
  let json = serialised.get(snapshot);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(snapshot));
    serialised.set(snapshot, json);
  }
  return json;
}

/** The latest snapshot of a target, or a fresh one; 503 before the first sample. */
export async function currentSnapshot(deps: ServerDeps, target: string, fresh: boolean): Promise<Snapshot> {
  if (fresh) return deps.sampleNow(target);
  const latest = deps.history.latest(target);
  if (latest === null) {
    throw new HttpError(503, "not_ready", "no sample yet; retry in a moment or ask with ?fresh=true", { target });
  }
  return latest;
}

export function snapshotRoutes(router: Router, deps: ServerDeps): void {
  router.get("/api/v1/memory-snapshot", async (ctx) => {
    const target = targetParam(ctx.query, deps);
    const snapshot = await currentSnapshot(deps, target, booleanParam(ctx.query, "fresh"));
    ctx.type = "application/json";
    ctx.body = snapshotJson(snapshot);
  });

  router.get("/api/v1/memory-snapshot/history", (ctx) => {
    const target = targetParam(ctx.query, deps);
    const detail = detailParam(ctx.query);
    const maxLimit =
      detail === "full" ? Math.min(MAX_FULL_HISTORY_LIMIT, deps.config.history_size) : deps.config.history_size;
    const limit = integerParam(ctx.query, "limit", Math.min(DEFAULT_HISTORY_LIMIT, maxLimit), maxLimit);
    const snapshots = deps.history.recent(target, limit);
    ctx.type = "application/json";
    const stream = historyStream(target, snapshots, detail);
    stream.once("error", (err) =>
      deps.log.error({ err, path: ctx.path, target }, "history answer failed while streaming"),
    );
    ctx.body = stream;
  });
}
