import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";
import type { Context, Next } from "koa";
import { bearerMatcher } from "./auth";
import { HttpError } from "./errors";

/**
 * Liveness and readiness answer without credentials: the kubelet's and Docker's probes cannot hold
 * a password, and these routes tell nothing but "ok" and "ready".
 */
const OPEN_PATHS = new Set(["/healthz", "/readyz"]);

/** Verified user:password pairs are remembered (as a digest) so that a scrape does not pay bcrypt each time. */
const MAX_REMEMBERED = 64;

/**
 * Compared against when the user is unknown, so that the answer takes as long as for a known one
 * (a cost-10 hash of a fixed word, as `htpasswd -B` makes by default; computing it would cost a
 * quarter of a second at start).
 */
const DECOY_HASH = "$2b$10$LobMhkVKoQWEbE77Z3dXoegfecG0GG0VXPlo6xkG/1SHkKV9nlC5S";

function credentials(header: string): { user: string; password: string } | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (match === null) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP basic authentication against the bcrypt hashes of the web configuration's
 * `basic_auth_users`, on every route but the probes. A request carrying `Bearer <MEMSNAP_API_TOKEN>`
 * passes too: one Authorization header cannot hold both, and the token's holder may write anyway.
 * The users can be replaced while running (SIGHUP); with none, every request passes.
 */
export class BasicAuth {
  private users = new Map<string, string>();
  private readonly verified = new Set<string>();
  private readonly isApiToken: (authorization: string) => boolean;

  constructor(users: Record<string, string> | undefined, apiToken: string | undefined) {
    this.replaceUsers(users);
    this.isApiToken = bearerMatcher(apiToken);
  }

  get enabled(): boolean {
    return this.users.size > 0;
  }

  replaceUsers(users: Record<string, string> | undefined): void {
    this.users = new Map(Object.entries(users ?? {}));
    this.verified.clear();
  }

  private async accepts(header: string): Promise<boolean> {
    const given = credentials(header);
    if (given === null) return false;
    const hash = this.users.get(given.user);
    const key = createHash("sha256")
      .update(`${given.user}\0${given.password}\0${hash ?? ""}`)
      .digest("base64");
    if (hash !== undefined && this.verified.has(key)) return true;
    const match = await bcrypt.compare(given.password, hash ?? DECOY_HASH);
    if (!match || hash === undefined) return false;
    if (this.verified.size >= MAX_REMEMBERED) this.verified.clear();
    this.verified.add(key);
    return true;
  }

  middleware() {
    return async (ctx: Context, next: Next): Promise<void> => {
      if (!this.enabled || OPEN_PATHS.has(ctx.path)) {
        await next();
        return;
      }
      const authorization = ctx.get("authorization");
      if (!this.isApiToken(authorization) && !(await this.accepts(authorization))) {
        ctx.set("WWW-Authenticate", 'Basic realm="memsnap", charset="UTF-8"');
        throw new HttpError(
          401,
          "unauthorized",
          "this route needs HTTP basic authentication with a user of the web configuration file",
        );
      }
      await next();
    };
  }
}
