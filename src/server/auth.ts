import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Next } from "koa";
import { HttpError } from "./errors";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith("127.");
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Whether an Authorization header carries `Bearer <token>`, compared in constant time; never without a token. */
export function bearerMatcher(token: string | undefined): (authorization: string) => boolean {
  const expected = token === undefined ? null : digest(token);
  return (authorization) => {
    const match = /^Bearer (.+)$/.exec(authorization);
    return expected !== null && match !== null && timingSafeEqual(digest(match[1]), expected);
  };
}

/**
 * Guards write routes. With a token, `Authorization: Bearer <token>` is required
 * (compared in constant time). Without one, writes are allowed only when the daemon
 * listens on loopback: reads are public, writes are not.
 */
export function requireWriteAccess(token: string | undefined, host: string) {
  const matches = bearerMatcher(token);
  return async (ctx: Context, next: Next): Promise<void> => {
    if (token === undefined) {
      if (!isLoopback(host)) {
        throw new HttpError(403, "writes_disabled", "write routes are off: memsnap listens beyond loopback without MEMSNAP_API_TOKEN", {
          fix: "set MEMSNAP_API_TOKEN and send it as 'Authorization: Bearer <token>'",
        });
      }
      return next();
    }
    if (!matches(ctx.get("authorization"))) {
      ctx.set("WWW-Authenticate", 'Bearer realm="memsnap"');
      throw new HttpError(401, "unauthorized", "this route needs 'Authorization: Bearer <MEMSNAP_API_TOKEN>'");
    }
    return next();
  };
}
