import { BYTES_PER_MB, roundTo } from "./analysis";

/** Figures as findings' messages write them. */
export const mb = (bytes: number) => `${roundTo(bytes / BYTES_PER_MB, 1)} MB`;
export const pct = (value: number) => `${roundTo(value, 1)} %`;

export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) >= 1024 * BYTES_PER_MB) return `${roundTo(bytes / (1024 * BYTES_PER_MB), 1)} GB`;
  return mb(bytes);
}

export function formatCount(n: number): string {
  if (n >= 1_000_000) return `${roundTo(n / 1_000_000, 1)} M`;
  if (n >= 1_000) return `${roundTo(n / 1_000, 1)} k`;
  return String(n);
}

/** "1.4 h", "25 min": a time left. */
export function formatHours(hours: number): string {
  return hours >= 1 ? `${roundTo(hours, 1)} h` : `${Math.max(0, Math.round(hours * 60))} min`;
}
