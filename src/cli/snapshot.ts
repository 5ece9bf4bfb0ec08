import type { Command } from "commander";
import { renderAnalysis, renderSummary } from "./render/snapshot-report";
import { stdoutStyle } from "./render/style";
import {
  checkOutputFile,
  cliConfig,
  exitCodeFor,
  print,
  runAction,
  withOutputOptions,
  writeOutputFile,
  type OutputOptions,
} from "./common";
import { openSource, withSourceOptions, type SourceOptions } from "./source";

interface SnapshotOptions extends OutputOptions, SourceOptions {
  analyze?: boolean;
  output?: string;
  force?: boolean;
}

async function snapshot(options: SnapshotOptions): Promise<number> {
  const config = cliConfig(options.config);
  checkOutputFile(options.output, options.force === true);
  const source = await openSource(config, options);
  const taken = await source.take(new AbortController().signal).finally(() => source.close());
  if (options.output !== undefined) {
    const written = await writeOutputFile(options.output, taken, options.force === true);
    if (!options.json) print(`wrote ${written}`);
  }
  if (options.json) print(JSON.stringify(taken, null, 2));
  else print((options.analyze ? renderAnalysis : renderSummary)(taken, stdoutStyle()));
  return exitCodeFor(taken.findings, options.failOn);
}

export function registerSnapshotCommand(program: Command): void {
  const command = program
    .command("snapshot")
    .description("take a snapshot now: from the daemon at VECTORIZER_API_URL, or --local by sampling directly")
    .option("--analyze", "explain it in full: deductions, findings, recommendations, collections, trend")
    .option("-o, --output <file>", "also write the snapshot to this .json file")
    .option("--force", "with --output, replace an existing file");
  withSourceOptions(withOutputOptions(command)).action(runAction(snapshot));
}
