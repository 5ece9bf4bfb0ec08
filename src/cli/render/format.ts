import type { HealthStatus } from "../../snapshot/health";

const UNKNOWN = "unknown";

/** The seed's words for each health band. */
export const BAND_WORDS: Record<HealthStatus, string> = {
  excellent: "excellent: well optimised",
  good: "good: some optimisation possible",
  fair: "fair: needs attention",
  critical: "critical: act now",
  unknown: "unknown: the target is down",
};

export function fixed(value: number | null, decimals = 1): string {
  return value === null ? UNKNOWN : value.toFixed(decimals);
}

/** A figure as it reads best: whole numbers (counts, pids) whole, others to 0.1. */
export function figure(value: number | null): string {
  if (value === null) return UNKNOWN;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export function mb(value: number | null): string {
  return value === null ? UNKNOWN : `${value.toFixed(1)} MB`;
}

export function percent(value: number | null): string {
  return value === null ? UNKNOWN : `${value.toFixed(1)} %`;
}

/** A change with its sign: +15.0, -2000.0. */
export function signed(value: number | null, decimals = 1): string {
  if (value === null) return UNKNOWN;
  return `${value > 0 ? "+" : ""}${value.toFixed(decimals)}`;
}

/** A change of a figure with its sign: +1, -2000, +0.4. */
export function signedFigure(value: number | null): string {
  if (value === null) return UNKNOWN;
  return `${value > 0 ? "+" : ""}${figure(value)}`;
}

export function count(value: number | null): string {
  return value === null ? UNKNOWN : value.toLocaleString("en-US");
}

const UNITS: Array<[string, number]> = [
  ["d", 86_400],
  ["h", 3_600],
  ["min", 60],
  ["s", 1],
];

/** 5400 → "1 h 30 min": the two largest units, enough for a person. */
export function duration(seconds: number): string {
  let left = Math.round(Math.abs(seconds));
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    if (left >= size && parts.length < 2) {
      parts.push(`${Math.floor(left / size)} ${unit}`);
      left %= size;
    }
  }
  return parts.length === 0 ? "0 s" : parts.join(" ");
}
