import { promises as fs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ALERTED_SEVERITIES } from "../config/alerting";
import type { Logger } from "../log";
import { writeInside } from "../output/safe-write";
import { alertKey, type AlertBook, type AlertState } from "./state";
import { issueText } from "../zod-issue";

export const STATE_FILE = "alerts-state.json";
const STATE_FILE_VERSION = 1;

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
  version: z.literal(STATE_FILE_VERSION),
  saved_at: z.iso.datetime(),
  alerts: z.array(AlertStateSchema),
});

/**
 * The alert state file under the data folder: read once at start, written after
 * evaluations that changed it (a temporary file, then a rename), one write at a time.
 */
export class AlertStore {
  readonly file: string;
  /** The alerts as last written or read; an empty book is not worth a file. */
  private lastWritten = "[]";
  private pending: AlertBook | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly log: Logger,
  ) {
    this.file = path.resolve(dataDir, STATE_FILE);
  }

  /** The saved alerts of the targets still configured; an empty book when there is no usable file. */
  async load(targets: string[]): Promise<AlertBook> {
    let text: string;
    try {
      text = await fs.readFile(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") this.log.error({ err, file: this.file }, "cannot read the alert state file; starting with no alert state");
      return new Map();
    }
    const parsed = StateFileSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      this.log.error(
        { file: this.file, problem: issueText(parsed.error.issues[0], "top level") },
        "the alert state file is not one memsnap wrote; starting with no alert state (it is replaced at the next save)",
      );
      return new Map();
    }
    this.lastWritten = JSON.stringify(parsed.data.alerts);
    const kept = parsed.data.alerts.filter((a) => targets.includes(a.target));
    return new Map(kept.map((a) => [alertKey(a.target, a.alertname), a]));
  }

  /** Schedules a write of the book; writes that pile up are merged into the latest. */
  save(book: AlertBook): void {
    const idle = this.pending === null;
    this.pending = book;
    if (idle) this.writing = this.writing.then(() => this.writePending());
  }

  /** Resolves once every scheduled write is on disk. */
  async flush(): Promise<void> {
    await this.writing;
  }

  private async writePending(): Promise<void> {
    const book = this.pending;
    this.pending = null;
    if (book === null) return;
    const alerts = JSON.stringify([...book.values()]);
    if (alerts === this.lastWritten) return;
    const text = `{"version":${STATE_FILE_VERSION},"saved_at":${JSON.stringify(new Date().toISOString())},"alerts":${alerts}}\n`;
    try {
      await writeInside(this.dataDir, STATE_FILE, text, true);
      this.lastWritten = alerts;
    } catch (err) {
      this.log.error({ err, file: this.file }, "cannot write the alert state file; a restart may notify again");
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
