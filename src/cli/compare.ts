import type { Command } from "commander";
import { compareSnapshots } from "../snapshot/compare";
import { renderComparison } from "./render/comparison-report";
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

async function compare(oldFile: string, newFile: string, options: OutputOptions): Promise<number> {
  const config = cliConfig(options.config);
  const older = await readSnapshotFile(oldFile, config.thresholds);
  const newer = await readSnapshotFile(newFile, config.thresholds);
  const comparison = compareSnapshots(older, newer);
  print(options.json ? JSON.stringify(comparison, null, 2) : renderComparison(comparison, stdoutStyle()));
  return exitCodeFor(newer.findings, options.failOn);
}

export function registerCompareCommand(program: Command): void {
  const command = program
    .command("compare")
    .description("what changed between two snapshot files: figures, health, findings, collections")
    .argument("<old>", "the earlier snapshot file")
    .argument("<new>", "the later snapshot file (--fail-on judges its findings)");
  withOutputOptions(command).action(runAction(compare));
}
