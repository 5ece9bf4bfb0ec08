import { roundTo } from "./analysis";
import type { Finding } from "./findings";
import type { HealthStatus } from "./health";
import type { CollectionDetail, Snapshot } from "./schema";

/** One figure that differs between two snapshots. */
export interface FigureChange {
  section: string;
  figure: string;
  old: number | null;
  new: number | null;
  /** new − old; null when either side is unknown. */
  change: number | null;
  /** change / |old| × 100, rounded to 0.1; null when old is 0 or either side is unknown. */
  change_percent: number | null;
}

export interface FindingRef {
  severity: Finding["severity"];
  code: string;
  collection?: string;
  message: string;
}

export interface CollectionChange {
  name: string;
  figures: FigureChange[];
  quantization: { old: string; new: string } | null;
}

export interface SnapshotComparison {
  old: { timestamp: string; target: string };
  new: { timestamp: string; target: string };
  elapsed_seconds: number;
  health: {
    old_score: number | null;
    new_score: number | null;
    change: number | null;
    old_status: HealthStatus;
    new_status: HealthStatus;
  };
  figures: FigureChange[];
  findings_appeared: FindingRef[];
  findings_cleared: FindingRef[];
  collections_added: string[];
  collections_removed: string[];
  collections_changed: CollectionChange[];
}

/** The sections whose numeric figures are compared, in the order they are reported. */
const SECTIONS = [
  "system_info",
  "process_info",
  "cgroup_info",
  "collections_info",
  "discrepancy_analysis",
  "memory_attribution",
  "trend",
] as const;

/** Rounds half away from zero, so that x and −x round to opposites. */
function roundSymmetric(value: number, decimals: number): number {
  return Math.sign(value) * roundTo(Math.abs(value), decimals);
}

type Figures = Record<string, unknown>;

const isFigure = (value: unknown): value is number | null => value === null || typeof value === "number";

/** `*_bytes` figures that have an `*_mb` twin are left to the twin: one change per quantity. */
function figureNames(older: Figures, newer: Figures): string[] {
  const both = new Set([...Object.keys(newer), ...Object.keys(older)]);
  const names = [...both].filter((k) => isFigure(older[k] ?? null) && isFigure(newer[k] ?? null));
  const present = new Set(names);
  return names.filter((k) => !(k.includes("_bytes") && present.has(k.replace("_bytes", "_mb"))));
}

function figureChange(section: string, figure: string, older: number | null, newer: number | null): FigureChange {
  if (older === null || newer === null)
    return { section, figure, old: older, new: newer, change: null, change_percent: null };
  const change = roundSymmetric(newer - older, 6);
  const percent = older === 0 ? null : roundSymmetric((change / Math.abs(older)) * 100, 1);
  return { section, figure, old: older, new: newer, change, change_percent: percent };
}

/** The numeric figures of one section that differ; a section missing on one side reads as unknown figures. */
export function figureChanges(section: string, older: Figures | null, newer: Figures | null): FigureChange[] {
  const before = older ?? {};
  const after = newer ?? {};
  return figureNames(before, after)
    .map((name) => [name, (before[name] ?? null) as number | null, (after[name] ?? null) as number | null] as const)
    .filter(([, o, n]) => o !== n)
    .map(([name, o, n]) => figureChange(section, name, o, n));
}

const findingKey = (f: Finding) => `${f.code}\u0000${f.collection ?? ""}`;

function findingRef(f: Finding): FindingRef {
  return {
    severity: f.severity,
    code: f.code,
    ...(f.collection === undefined ? {} : { collection: f.collection }),
    message: f.message,
  };
}

/** Findings of `from` that `other` does not have (by code and collection). */
function findingsOnlyIn(from: Finding[], other: Finding[]): FindingRef[] {
  const otherKeys = new Set(other.map(findingKey));
  const only = new Map<string, FindingRef>();
  for (const f of from) {
    const key = findingKey(f);
    if (!otherKeys.has(key) && !only.has(key)) only.set(key, findingRef(f));
  }
  return [...only.values()];
}

const byName = (s: Snapshot) => new Map(s.collections_info.collections_detail.map((c) => [c.name, c]));

function collectionChange(older: CollectionDetail, newer: CollectionDetail): CollectionChange | null {
  const figures = figureChanges("collections_detail", older, newer);
  const quantization =
    older.quantization === newer.quantization ? null : { old: older.quantization, new: newer.quantization };
  return figures.length === 0 && quantization === null ? null : { name: newer.name, figures, quantization };
}

function collectionDiff(older: Snapshot, newer: Snapshot) {
  const before = byName(older);
  const after = byName(newer);
  const sortedNames = (m: Map<string, CollectionDetail>, without: Map<string, CollectionDetail>) =>
    [...m.keys()].filter((n) => !without.has(n)).sort();
  const changed = [...after.keys()].sort().flatMap((n) => {
    const was = before.get(n);
    const now = after.get(n);
    return was === undefined || now === undefined ? [] : (collectionChange(was, now) ?? []);
  });
  return {
    collections_added: sortedNames(after, before),
    collections_removed: sortedNames(before, after),
    collections_changed: changed,
  };
}

/**
 * What changed from `older` to `newer`: every numeric figure of every section that
 * differs, the health score, findings that appeared and cleared, and collections added,
 * removed and changed. Decreases are as ordinary as increases.
 */
export function compareSnapshots(older: Snapshot, newer: Snapshot): SnapshotComparison {
  return {
    old: { timestamp: older.timestamp, target: older.target.name },
    new: { timestamp: newer.timestamp, target: newer.target.name },
    elapsed_seconds: (Date.parse(newer.timestamp) - Date.parse(older.timestamp)) / 1000,
    health: {
      old_score: older.health.score,
      new_score: newer.health.score,
      change:
        newer.health.score === null || older.health.score === null ? null : newer.health.score - older.health.score,
      old_status: older.health.status,
      new_status: newer.health.status,
    },
    figures: SECTIONS.flatMap((section) =>
      figureChanges(section, sectionOf(older, section), sectionOf(newer, section)),
    ),
    findings_appeared: findingsOnlyIn(newer.findings, older.findings),
    findings_cleared: findingsOnlyIn(older.findings, newer.findings),
    ...collectionDiff(older, newer),
  };
}

/** The attribution's parts as figures named `<part>_mb` (their `bytes` would be left to the MB twin anyway). */
function attributionFigures(s: Snapshot): Figures | null {
  if (s.memory_attribution === null) return null;
  return Object.fromEntries(s.memory_attribution.parts.map((p) => [`${p.part}_mb`, p.mb]));
}

/** A section's figures; collections_info's `collections_detail` is no figure, so it is left out by figureNames. */
function sectionOf(s: Snapshot, section: (typeof SECTIONS)[number]): Figures | null {
  return section === "memory_attribution" ? attributionFigures(s) : s[section];
}

/** True when nothing at all differs: the comparison of a snapshot with itself. */
export function isUnchanged(c: SnapshotComparison): boolean {
  return (
    c.elapsed_seconds === 0 &&
    c.health.old_score === c.health.new_score &&
    c.figures.length === 0 &&
    c.findings_appeared.length + c.findings_cleared.length === 0 &&
    c.collections_added.length + c.collections_removed.length + c.collections_changed.length === 0
  );
}
