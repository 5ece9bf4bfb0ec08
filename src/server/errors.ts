import type { Context, Next } from "koa";
import type { Logger } from "../log";

/** An error a client caused or should know about, answered as `{error, code, details}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export class BadRequest extends HttpError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(400, code, message, details);
  }
}

export class NotFound extends HttpError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(404, code, message, details);
  }
}

/** Errors thrown by koa or its middleware (body parser limits, for example) carry a status. */
function statusOf(err: unknown): number | null {
  const status = (err as { status?: unknown }).status;
  return typeof status === "number" && status >= 400 && status < 500 ? status : null;
}

const CLIENT_ERROR_CODES: Record<number, string> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "body_too_large",
  415: "unsupported_media_type",
};

/** Turns every error into a JSON answer; only server faults are logged as errors. */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.body == null && ctx.status === 404) {
        throw new HttpError(404, "not_found", "no such route; see GET /metrics and GET /api/v1/memory-snapshot");
      }
      if (ctx.body == null && ctx.status === 405) {
        throw new HttpError(
          405,
          "method_not_allowed",
          `${ctx.method} is not allowed here; allowed: ${ctx.response.get("allow")}`,
        );
      }
    } catch (err) {
      if (err instanceof HttpError) {
        ctx.status = err.status;
        ctx.body = { error: err.message, code: err.code, details: err.details };
        return;
      }
      const status = statusOf(err);
      if (status !== null) {
        ctx.status = status;
        ctx.body = { error: (err as Error).message, code: CLIENT_ERROR_CODES[status] ?? "client_error", details: {} };
        return;
      }
      log.error({ err, method: ctx.method, path: ctx.path }, "request failed");
      ctx.status = 500;
      ctx.body = { error: "internal error; see the memsnap log", code: "internal_error", details: {} };
    }
  };
}
