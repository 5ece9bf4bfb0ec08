import { BYTES_PER_MB } from "../snapshot/analysis";

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A tagged template whose interpolations are escaped unless they are already `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | false | Html[];

function piece(value: Part): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map((v) => v.text).join("");
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  values.forEach((value, i) => (out += piece(value) + strings[i + 1]));
  return new Html(out);
}

/** JSON for a `<script type="application/json">` block: no `<` can close it early. */
export function jsonBlock(value: unknown): Html {
  return new Html(JSON.stringify(value).replace(/</g, "\\u003c"));
}

const UNKNOWN = "unknown";

const MB_PER_GB = 1024;
/** From this many MB on, figures read in GB. */
const GB_FROM_MB = 10 * MB_PER_GB;

/** Bytes as people read them on this page: MB to 0.1, as the seed's figures are; GB from 10 GB on. */
export function bytesText(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return UNKNOWN;
  const mb = bytes / BYTES_PER_MB;
  return Math.abs(mb) >= GB_FROM_MB ? `${(mb / MB_PER_GB).toFixed(1)} GB` : `${mb.toFixed(1)} MB`;
}

export function percentText(value: number | null | undefined, decimals = 1): string {
  return value === null || value === undefined ? UNKNOWN : `${value.toFixed(decimals)} %`;
}

export function countText(value: number | null | undefined): string {
  return value === null || value === undefined ? UNKNOWN : value.toLocaleString("en-US");
}

/** 2026-11-30T07:26:39.123Z → 2026-11-30 07:26:39 UTC */
export function timeText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function hoursText(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} days`;
}

/** Messages past this many characters are cut on the page; the JSON keeps them whole. */
export const MAX_MESSAGE_CHARS = 300;

/** A message cut at MAX_MESSAGE_CHARS, saying that it was. */
export function clipped(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS
    ? message
    : `${message.slice(0, MAX_MESSAGE_CHARS)}… (cut here; the whole message is in the JSON)`;
}
