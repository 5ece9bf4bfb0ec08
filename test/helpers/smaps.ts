import type { SmapsMapping } from "../../src/sources/smaps";

export const KB = 1024;

/** A mapping of `sizeKb` at `start`, `rssKb` of it resident and `anonymousKb` of that anonymous, nothing swapped. */
export function mappingOf(
  start: number,
  sizeKb: number,
  permissions: string,
  path: string,
  rssKb: number,
  anonymousKb = 0,
): SmapsMapping {
  return {
    startAddress: start,
    endAddress: start + sizeKb * KB,
    permissions,
    path,
    rssBytes: rssKb * KB,
    anonymousBytes: anonymousKb * KB,
    swapBytes: 0,
  };
}
