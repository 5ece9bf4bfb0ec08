import type { ParsedUrlQuery } from "node:querystring";
import { BadRequest, NotFound } from "./errors";
import type { ServerDeps } from "./context";

function single(query: ParsedUrlQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw new BadRequest("bad_parameter", `give ?${name}= once`, { parameter: name });
  return value;
}

export function booleanParam(query: ParsedUrlQuery, name: string): boolean {
  const value = single(query, name);
  if (value === undefined || value === "false" || value === "0") return false;
  if (value === "true" || value === "1" || value === "") return true;
  throw new BadRequest("bad_parameter", `?${name}= must be true or false`, { parameter: name, value });
}

export function integerParam(query: ParsedUrlQuery, name: string, fallback: number, max: number): number {
  const value = single(query, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new BadRequest("bad_parameter", `?${name}= must be an integer from 1 to ${max}`, { parameter: name, value });
  }
  return Number(value);
}

/** The target named by ?target=, or the first configured target. */
export function targetParam(query: ParsedUrlQuery, deps: ServerDeps): string {
  const value = single(query, "target");
  if (value === undefined) return deps.targetNames[0];
  if (!deps.targetNames.includes(value)) {
    throw new NotFound("unknown_target", `no target named ${JSON.stringify(value)}`, {
      known_targets: deps.targetNames,
    });
  }
  return value;
}
