/**
 * `npm run bench`: memsnap against node_exporter on this machine, in one run. Prints the tables
 * and writes them into bench/RESULTS.md (between its markers; the prose around them is kept).
 *
 *   npm run bench                 full run (about fifteen minutes), writes bench/RESULTS.md
 *   npm run bench -- --quick      smoke run (about two minutes), prints only
 *   npm run bench -- --out FILE   writes the tables into FILE instead
 *   npm run bench:attribution     only the attribution's cost, into its own block of RESULTS.md
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { attributionTables, benchAttribution } from "./attribution";
import { evaluateGoals } from "./goals";
import { loadTest } from "./load";
import { benchPage, renderPageTable } from "./page";
import { ProcessStack, startNodeExporter, startSyntheticVectorizer, vectorizerTargetEnv } from "./processes";
import { machineSection, renderTables, type BenchResults, type SamplingRun } from "./report";
import { RESULTS_FILE, spliceResults } from "./results-file";
import { runSampleLoop } from "./sample-loop";
import { benchScenario, demoEnv, type BenchSettings, type ScenarioFigures } from "./scenarios";

export const FULL_SETTINGS: BenchSettings = {
  scrapes: 500,
  throughputConnections: 16,
  throughputSeconds: 10,
  collectionCounts: [10, 1000, 10000],
  demoScale: undefined,
  costSamples: 200,
  soakSamples: 10000,
  historyFillSamples: 600,
  loadConnections: 100,
  loadSeconds: 30,
  pageLoads: 20,
};

export const QUICK_SETTINGS: BenchSettings = {
  scrapes: 100,
  throughputConnections: 16,
  throughputSeconds: 2,
  collectionCounts: [10, 1000],
  demoScale: "0.05",
  costSamples: 20,
  soakSamples: 500,
  historyFillSamples: 50,
  loadConnections: 20,
  loadSeconds: 5,
  pageLoads: 3,
};

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function benchScrapes(settings: BenchSettings): Promise<ScenarioFigures[]> {
  const stack = new ProcessStack();
  try {
    const nodeExporter = await stack.start(startNodeExporter());
    const scenarios: ScenarioFigures[] = [];
    for (const collections of [undefined, ...settings.collectionCounts]) {
      progress(`scraping memsnap serve (${collections ?? "demo"} collections) and node_exporter`);
      scenarios.push(await benchScenario(settings, collections, nodeExporter));
    }
    return scenarios;
  } finally {
    await stack.stopAll();
  }
}

async function benchSampling(settings: BenchSettings): Promise<SamplingRun[]> {
  const demo = demoEnv(settings);
  progress(`sampling the demo: ${settings.costSamples} timed samples, then ${settings.soakSamples} more`);
  const runs: SamplingRun[] = [
    {
      name: "demo, smaps_rollup on",
      figures: await runSampleLoop(
        { ...demo, MEMSNAP_PROCESS_SMAPS: "on" },
        settings.costSamples,
        settings.soakSamples,
      ),
    },
  ];
  progress("sampling the demo without smaps_rollup");
  runs.push({
    name: "demo, smaps_rollup off",
    figures: await runSampleLoop({ ...demo, MEMSNAP_PROCESS_SMAPS: "off" }, settings.costSamples, 0),
  });
  const largest = Math.max(...settings.collectionCounts);
  progress(`sampling ${largest} collections: filling the history with ${settings.historyFillSamples} samples`);
  const stack = new ProcessStack();
  try {
    const env = vectorizerTargetEnv(await stack.start(startSyntheticVectorizer(largest)));
    const costSamples = Math.min(settings.costSamples, 20);
    runs.push({
      name: `${largest} collections`,
      figures: await runSampleLoop(env, costSamples, settings.historyFillSamples),
    });
  } finally {
    await stack.stopAll();
  }
  return runs;
}

function writeResults(out: string | null, generated: string, name: string): void {
  if (out === null) return;
  writeFileSync(out, spliceResults(existsSync(out) ? readFileSync(out, "utf8") : null, generated, name));
  progress(`wrote ${out}`);
}

function parseArgs(argv: string[]): {
  settings: BenchSettings;
  mode: "full" | "quick";
  out: string | null;
  attributionOnly: boolean;
} {
  const quick = argv.includes("--quick");
  const outAt = argv.indexOf("--out");
  const out = outAt >= 0 ? path.resolve(argv[outAt + 1] ?? "") : quick ? null : RESULTS_FILE;
  return {
    settings: quick ? QUICK_SETTINGS : FULL_SETTINGS,
    mode: quick ? "quick" : "full",
    out,
    attributionOnly: argv.includes("--attribution"),
  };
}

async function attributionSection(settings: BenchSettings): Promise<string> {
  const costSamples = Math.min(settings.costSamples, 50);
  return `- date: ${new Date().toISOString()}\n\n${attributionTables(await benchAttribution(demoEnv(settings), costSamples, progress))}`;
}

async function main(): Promise<void> {
  const { settings, mode, out, attributionOnly } = parseArgs(process.argv.slice(2));
  if (attributionOnly) {
    const generated = await attributionSection(settings);
    process.stdout.write(generated);
    writeResults(out, generated, "bench:attribution");
    return;
  }
  const startedAt = new Date();
  const loadAverageBefore = os.loadavg();
  const scenarios = await benchScrapes(settings);
  const sampling = await benchSampling(settings);
  progress(`load and faults: ${settings.loadConnections} clients for ${settings.loadSeconds} s`);
  const load = await loadTest(settings.loadConnections, settings.loadSeconds, demoEnv(settings));
  progress(`the page: ${settings.pageLoads} loads in chromium, empty cache then warm`);
  const pageTable = renderPageTable(await benchPage(settings.pageLoads, demoEnv(settings)));
  const results: BenchResults = {
    startedAt,
    loadAverageBefore,
    loadAverageAfter: os.loadavg(),
    mode,
    scenarios,
    sampling,
    load,
  };
  const generated = `${machineSection(results).join("\n")}\n\n${renderTables(results, evaluateGoals(results))}`;
  const attribution = await attributionSection(settings);
  process.stdout.write(`${generated}\n${pageTable}${attribution}`);
  writeResults(out, generated, "bench");
  writeResults(out, attribution, "bench:attribution");
  writeResults(out, pageTable, "bench:page");
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
