import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ALERTED_SEVERITIES } from "../config/alerting";
import type { Logger } from "../log";
import { writeInside } from "../output/safe-write";
import { OutboxEntrySchema, type OutboxEntry } from "./dispatcher";
import { alertKey, type AlertBook, type AlertState } from "./state";
import { issueText } from "../zod-issue";

export const STATE_FILE = "alerts-state.json";
/** Version 2 added the outbox; a version 1 file is read as one with an empty outbox. */
const STATE_FILE_VERSION = 2;

const NotificationKindSchema = z.enum(["firing", "reminder", "resolved"]);

const AlertStateSchema = z.object({
  target: z.string(),
  alertname: z.string(),
  severity: z.enum(ALERTED_SEVERITIES),
  phase: z.enum(["inactive", "pending", "firing", "resolved"]),
  since: z.iso.datetime(),
  activeSamples: z.number().int().min(0),
  clearSamples: z.number().int().min(0),
  message: z.string(),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  notifiedAt: z.iso.datetime().nullable(),
  inhibitedBy: z.string().nullable(),
  lastNotification: z.object({ kind: NotificationKindSchema, at: z.iso.datetime() }).nullable(),
}) satisfies z.ZodType<AlertState>;

const StateFileSchema = z.object({
  version: z.union([z.literal(1), z.literal(STATE_FILE_VERSION)]),
  saved_at: z.iso.datetime(),
  alerts: z.array(AlertStateSchema),
  outbox: z.array(OutboxEntrySchema).default([]),
});

/** What the state file holds: every alert's state, and the notifications not yet delivered. */
export interface AlertFile {
  book: AlertBook;
  outbox: OutboxEntry[];
}

const EMPTY: AlertFile = { book: new Map(), outbox: [] };

/**
 * The alert state file under the data folder: read once at start, written after
 * evaluations and deliveries that changed it (a temporary file, then a rename), one
 * write at a time.
 */
export class AlertStore {
  readonly file: string;
  /** The contents as last written or read; an empty state is not worth a file. */
  private lastWritten = contentsOf(EMPTY);
  private pending: AlertFile | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {
    this.file = path.resolve(dataDir, STATE_FILE);
  }

  /**
   * The saved alerts of the targets still configured, and every undelivered notification
   * (an alert about a target no longer watched still happened); empty when there is no usable file.
   */
  async load(targets: string[]): Promise<AlertFile> {
    let text: string;
    try {
      text = await fs.readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT")
        this.log.error({ err, file: this.file }, "cannot read the alert state file; starting with no alert state");
      return EMPTY;
    }
    const parsed = StateFileSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      this.log.error(
        { file: this.file, problem: issueText(parsed.error.issues[0], "top level") },
        "the alert state file is not one memsnap wrote; starting with no alert state (it is replaced at the next save)",
      );
      return EMPTY;
    }
    const { alerts, outbox } = parsed.data;
    this.lastWritten = contentsOf({ book: new Map(alerts.map((a) => [alertKey(a.target, a.alertname), a])), outbox });
    const kept = alerts.filter((a) => targets.includes(a.target));
    return { book: new Map(kept.map((a) => [alertKey(a.target, a.alertname), a])), outbox };
  }

  /** Schedules a write; writes that pile up are merged into the latest. */
  save(state: AlertFile): void {
    const idle = this.pending === null;
    this.pending = state;
    if (idle) this.writing = this.writing.then(() => this.writePending());
  }

  /** Resolves once every scheduled write is on disk. */
  async flush(): Promise<void> {
    await this.writing;
  }

  private async writePending(): Promise<void> {
    const state = this.pending;
    this.pending = null;
    if (state === null) return;
    const contents = contentsOf(state);
    if (contents === this.lastWritten) return;
    const text = `{"version":${STATE_FILE_VERSION},"saved_at":${JSON.stringify(new Date().toISOString())},${contents}}\n`;
    try {
      await writeInside(this.dataDir, STATE_FILE, text, true);
      this.lastWritten = contents;
    } catch (err) {
      this.log.error(
        { err, file: this.file },
        "cannot write the alert state file; a restart may notify again, or lose what was not delivered",
      );
    }
  }
}

function contentsOf({ book, outbox }: AlertFile): string {
  return `"alerts":${JSON.stringify([...book.values()])},"outbox":${JSON.stringify(outbox)}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
