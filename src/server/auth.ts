import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Next } from "koa";
import { isLoopbackAddress } from "../net/loopback";
import { HttpError } from "./errors";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Guards write routes. With a token, `Authorization: Bearer <token>` is required (the scheme
 * in any case, the token compared in constant time). Without one, writes are allowed only
 * when the address the server actually bound is a loopback one: reads are public, writes
 * are not. `boundAddress` is null until the server listens.
 */
export function requireWriteAccess(token: string | undefined, boundAddress: () => string | null) {
  const expected = token === undefined ? null : digest(token);
  return async (ctx: Context, next: Next): Promise<void> => {
    if (expected === null) {
      const address = boundAddress();
      if (address === null || !isLoopbackAddress(address)) {
        throw new HttpError(403, "writes_disabled", "write routes are off: memsnap listens beyond loopback without MEMSNAP_API_TOKEN", {
          fix: "set MEMSNAP_API_TOKEN and send it as 'Authorization: Bearer <token>'",
          listening_on: address,
        });
      }
      return next();
    }
    const match = /^bearer +(.+)$/i.exec(ctx.get("authorization"));
    if (match === null || !timingSafeEqual(digest(match[1]), expected)) {
      ctx.set("WWW-Authenticate", 'Bearer realm="memsnap"');
      throw new HttpError(401, "unauthorized", "this route needs 'Authorization: Bearer <MEMSNAP_API_TOKEN>'");
    }
    return next();
  };
}
