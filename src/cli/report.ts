import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { renderReport } from "../page/report";
import { SnapshotSchema, type Snapshot } from "../snapshot/schema";
import { cliConfig, CliError, print, readSnapshotFile, runAction } from "./common";

/** How long the daemon may take to answer its history. */
const DAEMON_TIMEOUT_MS = 30_000;
/** The most full snapshots a daemon answers at once (`?detail=full`): --from asks for this many unless told otherwise. */
const DEFAULT_FROM_LIMIT = 60;

interface ReportOptions {
  from?: string;
  target?: string;
  limit?: string;
  output: string;
  force?: boolean;
  config?: string;
}

const HistoryAnswer = z.object({ snapshots: z.array(SnapshotSchema) });

function historyUrl(from: string, target: string | undefined, limit: number): URL {
  let base: URL;
  try {
    base = new URL(from);
  } catch {
    throw new CliError(`--from ${from}: expected the daemon's URL, such as http://127.0.0.1:8080`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:")
    throw new CliError(`--from ${from}: expected an http(s) URL`);
  const api = base.pathname.replace(/\/+$/, "").endsWith("/api/v1")
    ? base.pathname.replace(/\/+$/, "")
    : `${base.pathname.replace(/\/+$/, "")}/api/v1`;
  const url = new URL(`${api}/memory-snapshot/history`, base);
  url.searchParams.set("limit", String(limit));
  url.searchParams.set("detail", "full");
  if (target !== undefined) url.searchParams.set("target", target);
  return url;
}

/** A daemon's recent history of one target, oldest first. */
async function historyFrom(from: string, target: string | undefined, limit: number): Promise<Snapshot[]> {
  const url = historyUrl(from, target, limit);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DAEMON_TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as Error).cause as { code?: string } | undefined;
    throw new CliError(
      `cannot reach the memsnap daemon at ${from} (${cause?.code ?? (err as Error).message}): is memsnap serve running there?`,
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: unknown } | null)?.error;
    throw new CliError(
      `the daemon at ${from} answered ${response.status}${typeof error === "string" ? `: ${error}` : ""}`,
    );
  }
  const parsed = HistoryAnswer.safeParse(body);
  if (!parsed.success) throw new CliError(`${url.href} did not answer a memsnap history: is ${from} a memsnap daemon?`);
  if (parsed.data.snapshots.length === 0)
    throw new CliError(`the daemon at ${from} has no sample yet: try again after its first sample`);
  return parsed.data.snapshots;
}

/** Snapshot files of one target, oldest first. */
async function fromFiles(files: string[], options: ReportOptions): Promise<Snapshot[]> {
  const config = cliConfig(options.config);
  const snapshots: Snapshot[] = [];
  for (const file of files) snapshots.push(await readSnapshotFile(file, config.thresholds));
  const targets = [...new Set(snapshots.map((s) => s.target.name))];
  const chosen = options.target === undefined ? snapshots : snapshots.filter((s) => s.target.name === options.target);
  if (chosen.length === 0)
    throw new CliError(`no file holds target ${options.target}; the files hold ${targets.join(", ")}`);
  if (options.target === undefined && targets.length > 1) {
    throw new CliError(`the files hold several targets (${targets.join(", ")}): choose one with --target`);
  }
  return chosen.sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
}

function limitOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_FROM_LIMIT;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > DEFAULT_FROM_LIMIT)
    throw new CliError(
      `--limit ${text}: expected a whole number of snapshots from 1 to ${DEFAULT_FROM_LIMIT} (the most full snapshots a daemon answers at once)`,
    );
  return Number(text);
}

/** Refuses a bad -o before any work. */
function checkOutput(file: string, force: boolean): Promise<void> {
  if (!/\.html?$/i.test(file)) throw new CliError(`-o ${file}: expected a file name ending in .html`);
  return fs.stat(file).then(
    () => {
      if (!force) throw new CliError(`${file} already exists: choose another name, or add --force to replace it`);
    },
    () => undefined,
  );
}

/** Writes through a temporary file beside the target, so that a reader never sees half a report. */
async function writeReport(file: string, text: string, force: boolean): Promise<void> {
  const temporary = path.join(
    path.dirname(path.resolve(file)),
    `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    await fs.writeFile(temporary, text, { flag: "wx" });
    if (force) await fs.rename(temporary, file);
    else await fs.link(temporary, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST")
      throw new CliError(`${file} already exists: choose another name, or add --force to replace it`);
    throw new CliError(`cannot write ${file}: ${(err as Error).message}`);
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

async function report(files: string[], options: ReportOptions): Promise<number> {
  if (files.length > 0 && options.from !== undefined) throw new CliError("give snapshot files or --from URL, not both");
  if (files.length === 0 && options.from === undefined) {
    throw new CliError("give snapshot files (such as monitor_*.json) or --from URL (a memsnap daemon)");
  }
  await checkOutput(options.output, options.force === true);
  const snapshots =
    options.from === undefined
      ? await fromFiles(files, options)
      : await historyFrom(options.from, options.target, limitOf(options.limit));
  const source = options.from ?? `${files.length} file${files.length === 1 ? "" : "s"}`;
  await writeReport(options.output, renderReport(snapshots, source, new Date()), options.force === true);
  print(
    `${options.output}: ${snapshots.length} sample${snapshots.length === 1 ? "" : "s"} of ${snapshots[0].target.name}`,
  );
  return 0;
}

export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description("one self-contained HTML file (opens from disk, no network) from snapshot files or a daemon's history")
    .argument("[files...]", "snapshot files, memsnap's (monitor_*.json) or seed-shaped")
    .option("--from <url>", "a memsnap daemon to take the recent history from, such as http://127.0.0.1:8080")
    .option(
      "-t, --target <name>",
      "the target to report on (default: the daemon's first, or the only one in the files)",
    )
    .option("--limit <n>", `with --from, at most this many snapshots (default ${DEFAULT_FROM_LIMIT})`)
    .requiredOption("-o, --output <file>", "the .html file to write")
    .option("--force", "replace the output file if it exists")
    .option("-c, --config <file>", "a .yaml or .json config file (environment variables override it)")
    .action(runAction(report));
}
