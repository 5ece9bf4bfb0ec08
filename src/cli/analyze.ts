import type { Command } from "commander";
import { renderAnalysis } from "./render/snapshot-report";
import { stdoutStyle } from "./render/style";
import {
  cliConfig,
  exitCodeFor,
  print,
  readSnapshotFile,
  runAction,
  withOutputOptions,
  type OutputOptions,
} from "./common";

async function analyze(file: string, options: OutputOptions): Promise<number> {
  const config = cliConfig(options.config);
  const snapshot = await readSnapshotFile(file, config.thresholds);
  print(options.json ? JSON.stringify(snapshot, null, 2) : renderAnalysis(snapshot, stdoutStyle()));
  return exitCodeFor(snapshot.findings, options.failOn);
}

export function registerAnalyzeCommand(program: Command): void {
  const command = program
    .command("analyze")
    .description("explain a snapshot file (memsnap's, or the seed's shape): health, findings, recommendations, trend")
    .argument("<file>", "the snapshot file");
  withOutputOptions(command).action(runAction(analyze));
}
