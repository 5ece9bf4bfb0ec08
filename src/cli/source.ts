import type { Command } from "commander";
import type { Config } from "../config/schema";
import { SnapshotSchema, type Snapshot } from "../snapshot/schema";
import { CliError, type SnapshotSource } from "./common";
import { issueText } from "../zod-issue";

/** How long the daemon may take to answer one snapshot request (it samples on request). */
const DAEMON_TIMEOUT_MS = 30_000;

function snapshotUrl(apiUrl: string, target: string | undefined): URL {
  const url = new URL("memory-snapshot", apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`);
  url.searchParams.set("fresh", "true");
  if (target !== undefined) url.searchParams.set("target", target);
  return url;
}

function unreachable(apiUrl: string, err: Error): CliError {
  const cause = err.cause as { code?: string; message?: string } | undefined;
  const reason = cause?.code ?? cause?.message ?? err.message;
  return new CliError(
    `cannot reach the memsnap daemon at ${apiUrl} (${reason}): start it with memsnap serve, set VECTORIZER_API_URL to its API, or add --local`,
  );
}

async function answerOf(apiUrl: string, response: Response): Promise<Snapshot> {
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as { error?: unknown } | null)?.error;
    throw new CliError(
      `the daemon at ${apiUrl} answered ${response.status}${typeof error === "string" ? `: ${error}` : ""}`,
    );
  }
  const parsed = SnapshotSchema.safeParse(body);
  if (!parsed.success) {
    const problem = issueText(parsed.error.issues[0], "body");
    throw new CliError(`${apiUrl} did not answer a memsnap snapshot (${problem}): is it a memsnap daemon's API?`);
  }
  return parsed.data;
}

/** Fresh snapshots from the daemon at VECTORIZER_API_URL (`GET memory-snapshot?fresh=true`). */
function daemonSource(apiUrl: string, target: string | undefined): SnapshotSource {
  return {
    async take(signal) {
      let response: Response;
      try {
        response = await fetch(snapshotUrl(apiUrl, target), {
          signal: AbortSignal.any([signal, AbortSignal.timeout(DAEMON_TIMEOUT_MS)]),
        });
      } catch (err) {
        if (signal.aborted) throw err;
        throw unreachable(apiUrl, err as Error);
      }
      return answerOf(apiUrl, response);
    },
    close: () => Promise.resolve(),
  };
}

export interface SourceOptions {
  local?: boolean;
  target?: string;
}

/** --local and --target, as the commands that take snapshots accept them. */
export function withSourceOptions(command: Command): Command {
  return command
    .option("--local", "sample the configured target directly, without a daemon")
    .option("-t, --target <name>", "the target (default: the daemon's or the configuration's first)");
}

/** The daemon's sampling modules load only for --local: talking to a daemon needs none of them. */
function loadLocalSource(): typeof import("./local-source") {
  return require("./local-source") as typeof import("./local-source");
}

export function openSource(config: Config, options: SourceOptions): Promise<SnapshotSource> {
  if (options.local) return loadLocalSource().localSource(config, options.target);
  return Promise.resolve(daemonSource(config.cli.api_url, options.target));
}
