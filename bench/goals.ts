import type { BenchResults, Goal } from "./report";

const MIB = 1024 * 1024;
const P99_AT_1000_COLLECTIONS_MS = 5;
const P50_FACTOR_BELOW_NODE_EXPORTER = 2;
const SAMPLE_CPU_MS = 2;
const REST_RSS_MB = 80;
const SOAK_GROWTH_MB = 5;
const THROUGHPUT_AT_1000_COLLECTIONS = 3000;

function scrapeGoals(results: BenchResults): Goal[] {
  const goals: Goal[] = [];
  const at1000 = results.scenarios.find((s) => s.name === "1000 collections");
  if (at1000) {
    goals.push({
      goal: `/metrics p99 ≤ ${P99_AT_1000_COLLECTIONS_MS} ms at 1 000 collections`,
      figure: `${at1000.memsnap.metrics.p99Ms.toFixed(2)} ms (ceiling here: ${at1000.ceiling.metrics.p99Ms.toFixed(2)} ms)`,
      met: at1000.memsnap.metrics.p99Ms <= P99_AT_1000_COLLECTIONS_MS,
    });
    goals.push({
      goal: `/metrics ≥ ${THROUGHPUT_AT_1000_COLLECTIONS} req/s at 16 connections, 1 000 collections`,
      figure: `${at1000.memsnap.throughput.requestsPerSecond.toFixed(0)} req/s (ceiling here: ${at1000.ceiling.throughput.requestsPerSecond.toFixed(0)})`,
      met: at1000.memsnap.throughput.requestsPerSecond >= THROUGHPUT_AT_1000_COLLECTIONS,
    });
  }
  for (const { name, memsnap, nodeExporter } of results.scenarios) {
    const ours = memsnap.metrics.p50Ms;
    const theirs = nodeExporter.metrics.p50Ms;
    goals.push({
      goal: `/metrics p50 at least ${P50_FACTOR_BELOW_NODE_EXPORTER}× lower than node_exporter's (${name})`,
      figure: `${(theirs / ours).toFixed(1)}× lower (${ours.toFixed(2)} vs ${theirs.toFixed(2)} ms)`,
      met: ours * P50_FACTOR_BELOW_NODE_EXPORTER <= theirs,
    });
  }
  return goals;
}

function samplingGoals(results: BenchResults): Goal[] {
  const goals: Goal[] = [];
  const demoRuns = results.sampling.filter((run) => run.name.startsWith("demo"));
  for (const { name, figures } of demoRuns) {
    goals.push({
      goal: `one sample ≤ ${SAMPLE_CPU_MS} ms CPU (${name})`,
      figure: `${figures.sampleCpuMs.toFixed(2)} ms`,
      met: figures.sampleCpuMs <= SAMPLE_CPU_MS,
    });
  }
  const demo = results.scenarios.find((s) => s.name === "demo");
  if (demo) {
    goals.push({
      goal: `memsnap RSS ≤ ${REST_RSS_MB} MB at rest (memsnap serve, demo)`,
      figure: `${(demo.memsnap.restResidentBytes / MIB).toFixed(1)} MB`,
      met: demo.memsnap.restResidentBytes <= REST_RSS_MB * MIB,
    });
  }
  for (const { name, figures } of demoRuns) {
    if (figures.soak === null) continue;
    goals.push({
      goal: `RSS growth ≤ ${SOAK_GROWTH_MB} MB from sample ${figures.soak.samples / 10} to ${figures.soak.samples} (${name})`,
      figure: `${(figures.soak.growthBytes / MIB).toFixed(1)} MB`,
      met: figures.soak.growthBytes <= SOAK_GROWTH_MB * MIB,
    });
  }
  return goals;
}

/** Each goal of issue 7 against this run's figures. */
export function evaluateGoals(results: BenchResults): Goal[] {
  return [...scrapeGoals(results), ...samplingGoals(results)];
}
