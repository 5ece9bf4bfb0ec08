import type { Router, RouterMiddleware } from "@koa/router";
import { z } from "zod";
import { FileExistsError, FolderWriteError, UnsafePathError, writeInside } from "../../output/safe-write";
import type { ServerDeps } from "../context";
import { BadRequest, HttpError } from "../errors";
import { currentSnapshot } from "./snapshot";

const ExportRequest = z.strictObject({
  file_path: z.string({ error: 'file_path is required: a .json file name such as "memory_report.json"' }),
  overwrite: z.boolean({ error: "overwrite must be true or false" }).default(false),
  target: z.string().optional(),
  fresh: z.boolean({ error: "fresh must be true or false" }).default(false),
});

/** Something in the way is the client's to sort out; a full disk is 507; an unwritable folder is the operator's (503). */
const FOLDER_STATUS: Record<FolderWriteError["kind"], number> = { conflict: 409, disk_full: 507, not_writable: 503 };

function parseRequest(body: unknown): z.infer<typeof ExportRequest> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequest("bad_body", 'send a JSON object such as {"file_path": "memory_report.json"}');
  }
  const parsed = ExportRequest.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequest("bad_body", issue.message, { field: issue.path.join(".") || null });
  }
  return parsed.data;
}

export function exportRoutes(router: Router, deps: ServerDeps, before: RouterMiddleware[]): void {
  router.post("/api/v1/memory-snapshot/export", ...before, async (ctx) => {
    if (!ctx.is("application/json")) {
      throw new HttpError(415, "unsupported_media_type", "send the body as Content-Type: application/json");
    }
    const request = parseRequest((ctx.request as { body?: unknown }).body);
    const target = request.target ?? deps.targetNames[0];
    if (!deps.targetNames.includes(target)) {
      throw new HttpError(404, "unknown_target", `no target named ${JSON.stringify(target)}`, {
        known_targets: deps.targetNames,
      });
    }
    const snapshot = await currentSnapshot(deps, target, request.fresh);
    try {
      const written = await writeInside(
        deps.config.output_dir,
        request.file_path,
        `${JSON.stringify(snapshot, null, 2)}\n`,
        request.overwrite,
      );
      deps.log.info({ target, file: written.path, bytes: written.bytes }, "snapshot exported");
      ctx.status = 201;
      ctx.body = { file_path: written.path, bytes: written.bytes, timestamp: snapshot.timestamp };
    } catch (err) {
      if (err instanceof UnsafePathError) throw new BadRequest(err.code, err.message, { file_path: request.file_path });
      if (err instanceof FileExistsError)
        throw new HttpError(409, "file_exists", err.message, { file_path: request.file_path });
      if (err instanceof FolderWriteError)
        throw new HttpError(FOLDER_STATUS[err.kind], err.code, err.message, { file_path: request.file_path });
      throw err;
    }
  });
}
