import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import { ConfigError, loadConfig } from "../config/load";
import type { Config, Thresholds } from "../config/schema";
import { FileExistsError, FolderWriteError, UnsafePathError, writeInside } from "../output/safe-write";
import { SEVERITY_ORDER, type Finding, type Severity } from "../snapshot/findings";
import { parseSnapshotJson, SnapshotInputError } from "../snapshot/read";
import type { Snapshot } from "../snapshot/schema";
import { EXIT_FINDINGS, EXIT_USAGE } from "./exit-codes";

/** A snapshot file larger than this is refused rather than read. */
const MAX_SNAPSHOT_FILE_BYTES = 64 * 1024 * 1024;

/** Bad usage or bad input: its message (one line per problem) goes to stderr, and memsnap exits 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

export type FailOn = Extract<Severity, "critical" | "warning">;

export interface OutputOptions {
  json?: boolean;
  failOn?: FailOn;
  config?: string;
}

/** --json, --fail-on and --config, as every reporting command takes them. */
export function withOutputOptions(command: Command): Command {
  return command
    .option("--json", "print JSON for machines instead of tables")
    .addOption(
      new Option("--fail-on <severity>", "exit 1 when a finding this severe (or worse) exists").choices([
        "critical",
        "warning",
      ]),
    )
    .option("-c, --config <file>", "a .yaml or .json config file (environment variables override it)");
}

/** Where the command line gets snapshots: a running daemon, or its own sampling. */
export interface SnapshotSource {
  take(signal: AbortSignal): Promise<Snapshot>;
  close(): Promise<void>;
}

/** The configuration for the commands that exit on their own (serve, alerts test); exits with code 2 when it is invalid. */
/** The one configuration, from the environment and an optional file; bad values are usage errors. */
export function cliConfig(configFile: string | undefined): Config {
  try {
    return loadConfig(process.env, configFile);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.problems.join("\n"));
    throw err;
  }
}

/** 1 when --fail-on is given and a finding at least that severe exists, else 0. */
export function exitCodeFor(found: Finding[], failOn: FailOn | undefined): number {
  if (failOn === undefined) return 0;
  return found.some((f) => SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[failOn]) ? EXIT_FINDINGS : 0;
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Runs a command's action; a CliError becomes its message on stderr and exit code 2. */
export function runAction<A extends unknown[]>(action: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await action(...args);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      for (const line of err.message.split("\n")) process.stderr.write(`memsnap: ${line}\n`);
      process.exitCode = EXIT_USAGE;
    }
  };
}

function readProblem(file: string, err: NodeJS.ErrnoException): string {
  if (err.code === "ENOENT") return `cannot read ${file}: no such file`;
  if (err.code === "EISDIR") return `cannot read ${file}: it is a directory, not a snapshot file`;
  if (err.code === "EACCES") return `cannot read ${file}: permission denied`;
  return `cannot read ${file}: ${err.message}`;
}

/** A snapshot file, memsnap's or seed-shaped; any problem is one CliError line naming the file. */
export async function readSnapshotFile(file: string, thresholds: Thresholds): Promise<Snapshot> {
  let text: string;
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_SNAPSHOT_FILE_BYTES)
      throw new CliError(`${file} is ${stat.size} bytes: too large for a snapshot`);
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(readProblem(file, err as NodeJS.ErrnoException));
  }
  try {
    return parseSnapshotJson(text, thresholds);
  } catch (err) {
    if (err instanceof SnapshotInputError) throw new CliError(`${file} is ${err.message}`);
    throw err;
  }
}

/**
 * Writes JSON to `name` inside `dir`, atomically, refusing to replace a file unless
 * `overwrite`; a refusal is a CliError that says what to do.
 */
export async function writeJsonFile(dir: string, name: string, value: unknown, overwrite: boolean): Promise<string> {
  const shown = path.join(dir, name);
  try {
    return (await writeInside(dir, name, `${JSON.stringify(value, null, 2)}\n`, overwrite)).path;
  } catch (err) {
    if (err instanceof FileExistsError)
      throw new CliError(`${shown} already exists: choose another name, or add --force to replace it`);
    if (err instanceof UnsafePathError || err instanceof FolderWriteError)
      throw new CliError(`cannot write ${shown}: ${err.message}`);
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined) throw new CliError(`cannot write ${shown}: ${(err as Error).message}`);
    throw err;
  }
}

/** Refuses a bad --output before any work, so that nothing is done for a file that cannot be written. */
export function checkOutputFile(file: string | undefined, overwrite: boolean): void {
  if (file === undefined) return;
  if (!file.toLowerCase().endsWith(".json"))
    throw new CliError(`--output ${file}: expected a file name ending in .json`);
  if (!overwrite && existsSync(file))
    throw new CliError(`${file} already exists: choose another name, or add --force to replace it`);
}

/** --output FILE: a .json path, relative to the working directory or absolute. */
export async function writeOutputFile(file: string, value: unknown, overwrite: boolean): Promise<string> {
  const resolved = path.resolve(file);
  return writeJsonFile(path.dirname(resolved), path.basename(resolved), value, overwrite);
}
