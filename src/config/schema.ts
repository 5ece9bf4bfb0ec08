import { z } from "zod";
import { validate as isValidCron } from "node-cron";
import { DEFAULT_RUNBOOK_BASE_URL } from "../runbook";
import { AlertingSchema } from "./alerting";
import { durationMs, integerField as integer, numberField, onOff } from "./fields";

function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const TARGET_KINDS = ["demo", "vectorizer", "qdrant", "chroma", "none"] as const;

const processPattern = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    const problem = regexProblem(pattern);
    if (problem !== null) {
      ctx.addIssue({
        code: "custom",
        message: `expected a process name or a regular expression over the command line (${problem})`,
      });
    }
  });

const apiUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).refine(
  (url) => {
    const { username, password } = new URL(url);
    return username === "" && password === "";
  },
  {
    error: "keep credentials out of the URL: set api_key (MEMSNAP_TARGET_API_KEY)",
  },
);

/** A Chroma tenant or database name: one path segment of its API. */
const chromaName = z
  .string()
  .regex(/^[^/?#\s]{1,128}$/, "expected a Chroma name: 1–128 characters without '/', '?', '#' or spaces");

const TargetFields = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "expected 1–64 letters, digits, '.', '_' or '-'"),
  kind: z.enum(TARGET_KINDS, { error: `expected one of ${TARGET_KINDS.join(", ")}` }),
  url: apiUrl.optional(),
  pid: integer(1, 2 ** 22, "a positive integer process id").optional(),
  pid_file: z.string().min(1).optional(),
  process: processPattern.optional(),
  scale: numberField("a number above 0 and at most 10", (n) => n > 0 && n <= 10).optional(),
  timeout_ms: integer(1, 600000, "a timeout in milliseconds from 1 to 600000").default(5000),
  api_key: z.string().min(1, "expected the API key, not an empty string").optional(),
  max_response_bytes: integer(1024, 2 ** 31, "a size in bytes from 1024 to 2147483648").default(32 * 1024 * 1024),
  tenant: chromaName.optional(),
  database: chromaName.optional(),
});

/** Settings that contradict the target's kind or each other. */
function targetProblems(target: z.infer<typeof TargetFields>): Array<{ path: string; message: string }> {
  const locators = [target.pid, target.pid_file, target.process].filter((v) => v !== undefined);
  const problems: Array<{ path: string; message: string }> = [];
  if (target.kind === "demo" && locators.length > 0) {
    problems.push({ path: "kind", message: "the demo target runs its own process; remove pid, pid_file and process" });
  }
  if (target.kind !== "demo" && locators.length === 0) {
    problems.push({
      path: "kind",
      message:
        `a ${target.kind} target needs the process to watch: set pid, pid_file or process ` +
        "(MEMSNAP_TARGET_PID, MEMSNAP_TARGET_PID_FILE or MEMSNAP_TARGET_PROCESS)",
    });
  }
  if (target.scale !== undefined && target.kind !== "demo")
    problems.push({ path: "scale", message: "only the demo target has a scale" });
  if (target.api_key !== undefined && target.kind !== "qdrant") {
    problems.push({ path: "api_key", message: "only the qdrant target takes an api_key" });
  }
  for (const field of ["tenant", "database"] as const) {
    if (target[field] !== undefined && target.kind !== "chroma")
      problems.push({ path: field, message: `only the chroma target takes a ${field}` });
  }
  if (locators.length > 1) problems.push({ path: "pid", message: "set only one of pid, pid_file and process" });
  return problems;
}

const TargetSchema = TargetFields.superRefine((target, ctx) => {
  for (const { path, message } of targetProblems(target)) ctx.addIssue({ code: "custom", path: [path], message });
});
export type TargetConfig = z.infer<typeof TargetSchema>;

export const ThresholdsSchema = z.object({
  overhead_critical_percent: numberField("a percentage above 0", (n) => n > 0).default(100),
  overhead_warning_percent: numberField("a percentage above 0", (n) => n > 0).default(50),
  unaccounted_critical_mb: numberField("a size in MB ≥ 0", (n) => n >= 0).default(500),
  health_critical_score: numberField("a score from 0 to 100", (n) => n >= 0 && n <= 100).default(50),
  quantization_warning_percent: numberField("a percentage above 0", (n) => n > 0).default(50),
  growth_warning_mb_per_hour: numberField("a growth rate in MB per hour ≥ 0", (n) => n >= 0).default(50),
  growth_min_window_minutes: numberField("a window of 1 minute or more", (n) => n >= 1).default(30),
  /** Overhead findings only where unaccounted memory exceeds this: a tiny database's ratio says nothing. */
  overhead_min_mb: numberField("a size in MB ≥ 0", (n) => n >= 0).default(100),
  host_memory_warning_percent: numberField("a percentage from 0 to 100", (n) => n > 0 && n <= 100).default(90),
  host_memory_critical_percent: numberField("a percentage from 0 to 100", (n) => n > 0 && n <= 100).default(97),
  exhaustion_critical_hours: numberField("a number of hours ≥ 0", (n) => n >= 0).default(2),
  exhaustion_warning_hours: numberField("a number of hours ≥ 0", (n) => n >= 0).default(24),
  /** The trend's window, in milliseconds (MEMSNAP_TREND_WINDOW: 90s, 30m, 2h). */
  trend_window: durationMs(1000, "a window of at least one second").default(30 * 60_000),
});
export type Thresholds = z.infer<typeof ThresholdsSchema>;

/** What the command line (snapshot, monitor) reads; the daemon ignores it. */
const CliSchema = z.object({
  api_url: z
    .url({
      protocol: /^https?$/,
      error: "expected the http(s) URL of a memsnap daemon's API, such as http://localhost:8080/api/v1",
    })
    .default("http://localhost:8080/api/v1"),
  monitor_interval_seconds: numberField("a number of seconds above 0", (n) => n > 0).default(30),
});

export const ConfigSchema = z.object({
  port: integer(0, 65535, "a TCP port from 0 to 65535").default(8080),
  host: z.string().min(1, "expected a host name or address").default("127.0.0.1"),
  schedule: z
    .string()
    .refine((s) => isValidCron(s), {
      error: "expected a cron expression with seconds, such as '*/15 * * * * *'",
    })
    .default("*/15 * * * * *"),
  targets: z
    .array(TargetSchema)
    .min(1, "expected at least one target")
    .refine((ts) => new Set(ts.map((t) => t.name)).size === ts.length, {
      error: "target names must be unique",
    })
    .prefault([{ name: "demo", kind: "demo" }]),
  data_dir: z.string().min(1).default(".memsnap"),
  output_dir: z.string().min(1).default("memory_snapshots"),
  history_size: integer(2, 100000, "an integer from 2 to 100000").default(480),
  /** How long one sample may take; unset: two-thirds of the schedule's interval, at most 10 s. */
  sample_timeout: durationMs(100, "at least 100ms").optional(),
  /** Read /proc/<pid>/smaps_rollup (PSS, shared pages); it costs milliseconds per GiB the target holds. */
  process_smaps: onOff.default(true),
  /** Seconds between two walks of /proc/<pid>/smaps for the memory attribution; 0 turns it off. */
  smaps_interval_seconds: numberField(
    "a number of seconds from 0 to 86400 (0 turns the attribution off)",
    (n) => n >= 0 && n <= 86400,
  ).default(60),
  alerts: onOff.default(true),
  alerting: AlertingSchema.prefault({}),
  external_url: z
    .url({ protocol: /^https?$/, error: "expected the http(s) URL operators reach memsnap at" })
    .optional(),
  api_token: z.string().min(16, "expected a token of at least 16 characters").optional(),
  thresholds: ThresholdsSchema.prefault({}),
  cli: CliSchema.prefault({}),
  log_level: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  /** An exporter-toolkit web configuration file: TLS and basic authentication on every route. */
  web_config_file: z.string().min(1, "expected the path of a web configuration file").optional(),
  /** The largest collections keep their own series; the rest are summed under collection="__other__". 0: none. */
  collection_series_max: integer(0, 1_000_000, "a number of collections from 0 to 1000000").default(500),
  /** Where the runbook lives: alert messages link to `<runbook_base_url>#<alertname in lower case>`. */
  runbook_base_url: z
    .url({
      protocol: /^https?$/,
      error: "expected the absolute http(s) URL of the runbook, such as https://wiki.example.com/memsnap/runbook",
    })
    .default(DEFAULT_RUNBOOK_BASE_URL),
});
export type Config = z.infer<typeof ConfigSchema>;
