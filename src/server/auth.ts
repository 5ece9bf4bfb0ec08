import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, Next } from "koa";
import { isLoopbackAddress } from "../net/loopback";
import { HttpError } from "./errors";

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Whether an Authorization header carries `Bearer <token>` (the scheme in any case), the token
 * compared in constant time; never without a token.
 */
export function bearerMatcher(token: string | undefined): (authorization: string) => boolean {
  const expected = token === undefined ? null : digest(token);
  return (authorization) => {
    const match = /^bearer +(.+)$/i.exec(authorization);
    return expected !== null && match !== null && timingSafeEqual(digest(match[1]), expected);
  };
}

/**
 * Guards write routes. With a token, `Authorization: Bearer <token>` is required (the scheme
 * in any case, the token compared in constant time). Without one, writes are allowed only
 * when the address the server actually bound is a loopback one: reads are public, writes
 * are not. `boundAddress` is null until the server listens.
 */
export function requireWriteAccess(token: string | undefined, boundAddress: () => string | null) {
  const matches = bearerMatcher(token);
  return async (ctx: Context, next: Next): Promise<void> => {
    if (token === undefined) {
      const address = boundAddress();
      if (address === null || !isLoopbackAddress(address)) {
        throw new HttpError(
          403,
          "writes_disabled",
          "write routes are off: memsnap listens beyond loopback without MEMSNAP_API_TOKEN",
          {
            fix: "set MEMSNAP_API_TOKEN and send it as 'Authorization: Bearer <token>'",
            listening_on: address,
          },
        );
      }
      await next();
      return;
    }
    if (!matches(ctx.get("authorization"))) {
      ctx.set("WWW-Authenticate", 'Bearer realm="memsnap"');
      throw new HttpError(401, "unauthorized", "this route needs 'Authorization: Bearer <MEMSNAP_API_TOKEN>'");
    }
    await next();
  };
}
