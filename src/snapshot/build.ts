import type { Thresholds } from "../config/schema";
import { collectionTotals, discrepancy } from "./analysis";
import { memoryPressure, type Assessment } from "./assessment";
import { EVENTS_LOOKBACK_MINUTES, recentEvents } from "./events";
import { attribute, type AnonymousClaims, type Attribution } from "./attribution";
import { findings, recommendations } from "./findings";
import { exhaustion, growthRule, samplePoint, trendInfo, unaccountedGrowth, unexplainedGrowth } from "./growth";
import { health } from "./health";
import type { Sample } from "./sample";
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from "./schema";
import {
  cgroupInfo,
  collectionsInfo,
  discrepancyAnalysis,
  memoryAttributionInfo,
  processInfo,
  systemInfo,
} from "./sections";
import { classifyMappings, STORAGE_LAYOUTS } from "./smaps-classify";
import { computeTrend, type TrendPoint } from "./trend";

/** What the database and its runtime say the process holds in anonymous memory. */
function anonymousClaims(sample: Sample): AnonymousClaims {
  const runtime = sample.runtime ?? null;
  const allocator = {
    allocatorFreeBytes: runtime?.allocatorFreeBytes ?? null,
    allocatorFreeSource: runtime?.source ?? null,
  };
  if (sample.target.kind === "none") {
    return { collectionsBytes: 0, collectionsSource: "no database (target kind none)", ...allocator };
  }
  if (sample.collections === null) {
    return {
      collectionsBytes: null,
      collectionsSource: `${sample.target.kind} API unreadable (see errors): counted in unexplained`,
      ...allocator,
    };
  }
  const held = sample.collections.map((c) => c.anonymousBytes ?? c.actualBytes);
  const known = held.filter((bytes): bytes is number => bytes !== null);
  const unknown = held.length - known.length;
  const figure = sample.collections.some((c) => typeof c.anonymousBytes === "number")
    ? "anonymous (heap) figures"
    : "own figures";
  return {
    collectionsBytes: known.reduce((sum, bytes) => sum + bytes, 0),
    collectionsSource:
      `${sample.target.kind} API: the ${known.length} collections' ${figure}` +
      (unknown > 0 ? `; ${unknown} without a figure` : ""),
    ...allocator,
  };
}

/** The attribution of the sample's process, from the last smaps walk of the same process. */
function sampleAttribution(sample: Sample): Attribution | null {
  const smaps = sample.smaps ?? null;
  const process = sample.process;
  if (smaps === null || process === null) return null;
  if (smaps.pid !== process.pid) return null;
  const breakdown = classifyMappings(smaps, STORAGE_LAYOUTS[sample.target.kind] ?? null);
  const counters = {
    anonymousBytes: process.anonymousBytes,
    fileBytes: process.fileBytes,
    shmemBytes: process.shmemBytes,
  };
  return attribute(breakdown, smaps.readAtMs, counters, anonymousClaims(sample));
}

/** The cgroup figures memory pressure reads: the tightest limit, and the working set held against it. */
function cgroupPressureFigures(c: Sample["cgroup"]) {
  return c && { limitBytes: c.limitBytes, usageBytes: c.limitWorkingSetBytes ?? c.usageBytes };
}

/**
 * What health and findings judge. Without collection figures (the API failed) the
 * unaccounted memory is unknown, not the whole RSS. The runtime baseline is the code the
 * attribution tells apart from mapped data files; without it, all file-backed memory.
 */
function assess(sample: Sample, attribution: Attribution | null): Assessment {
  const collections = sample.collections ?? [];
  const totals = collectionTotals(collections);
  const system = sample.system;
  const resident = sample.collections === null ? null : (sample.process?.residentBytes ?? null);
  const baseline = attribution?.parts.find((p) => p.part === "code")?.bytes ?? sample.process?.fileBytes ?? null;
  return {
    collections,
    totals,
    discrepancy: discrepancy(totals, resident, baseline),
    memoryPressure: memoryPressure(system, cgroupPressureFigures(sample.cgroup)),
    processSwapBytes: sample.process?.swapBytes ?? null,
    hostSwapUsedRatio: system && system.swapTotalBytes > 0 ? system.swapUsedBytes / system.swapTotalBytes : null,
    unaccountedGrowth: null,
    unexplainedGrowth: null,
    collectionFiguresKnown: collections.some((c) => c.actualBytes !== null),
    attribution: attribution?.parts ?? null,
    downReasons: sample.downReasons,
    exhaustion: null,
    events: { oomKills: 0, restarts: 0, lookbackMinutes: EVENTS_LOOKBACK_MINUTES },
  };
}

/**
 * The snapshot of SPEC section 6: a pure function of one sample, the thresholds and the
 * trend points of the target's earlier samples (oldest first).
 */
export function buildSnapshot(sample: Sample, thresholds: Thresholds, earlier: TrendPoint[] = []): Snapshot {
  const attribution = sampleAttribution(sample);
  const measured = assess(sample, attribution);
  const points = [...earlier, samplePoint(sample, measured, attribution?.unexplainedBytes ?? null)];
  const trend = computeTrend(points, measured.memoryPressure, growthRule(thresholds), thresholds.trend_window);
  const assessment: Assessment = {
    ...measured,
    unaccountedGrowth: unaccountedGrowth(trend, thresholds),
    unexplainedGrowth: unexplainedGrowth(trend, thresholds),
    exhaustion: exhaustion(trend),
    events: recentEvents(points),
  };
  const score = health(assessment);
  const found = findings(assessment, score.score, thresholds);
  const known = sample.collections !== null;
  return {
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    timestamp: sample.takenAt.toISOString(),
    target: { ...sample.target, up: sample.downReasons.length === 0 },
    system_info: systemInfo(sample.system),
    process_info: processInfo(sample.process, sample.target.pid, attribution, sample.processStartTicks ?? null),
    cgroup_info: cgroupInfo(sample.cgroup),
    collections_info: collectionsInfo(assessment.collections, assessment.totals, known),
    discrepancy_analysis: discrepancyAnalysis(assessment.discrepancy, known),
    health: score,
    findings: found,
    recommendations: recommendations(found),
    trend: trend === null ? null : trendInfo(trend),
    memory_attribution: memoryAttributionInfo(attribution),
    errors: [...sample.errors, ...(attribution?.errors ?? []).map((message) => ({ source: "attribution", message }))],
    sample_duration_seconds: sample.durationSeconds,
  };
}
