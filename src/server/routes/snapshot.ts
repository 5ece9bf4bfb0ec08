import type { Router } from "@koa/router";
import type { Snapshot } from "../../snapshot/schema";
import type { ServerDeps } from "../context";
import { HttpError } from "../errors";
import { booleanParam, integerParam, targetParam } from "../params";

const DEFAULT_HISTORY_LIMIT = 20;

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
    const limit = integerParam(ctx.query, "limit", DEFAULT_HISTORY_LIMIT, deps.config.history_size);
    const snapshots = deps.history.recent(target, limit);
    ctx.body = { target, count: snapshots.length, snapshots };
  });
}
