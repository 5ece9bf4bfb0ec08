import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { ALERTING_ENV_PATHS, ALERTING_SECRET_VARS } from "./alerting";
import { unknownKeys } from "./known-keys";
import { ConfigSchema, type Config } from "./schema";
import { maskQuotedSecrets, maskUrlUserInfo } from "./secrets";
import { issueText } from "../zod-issue";

/** Problems with the configuration, one line each; no line repeats a password a URL holds. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    const masked = problems.map(maskUrlUserInfo);
    super(`invalid configuration:\n  ${masked.join("\n  ")}`);
    this.name = "ConfigError";
    this.problems = masked;
  }
}

export type Env = Record<string, string | undefined>;

/** Environment variable → configuration path. */
const ENV_PATHS: Record<string, string[]> = {
  MEMSNAP_PORT: ["port"],
  MEMSNAP_HOST: ["host"],
  MEMSNAP_SCHEDULE: ["schedule"],
  MEMSNAP_DATA_DIR: ["data_dir"],
  MEMORY_OUTPUT_DIR: ["output_dir"],
  MEMSNAP_HISTORY_SIZE: ["history_size"],
  MEMSNAP_SAMPLE_TIMEOUT: ["sample_timeout"],
  MEMSNAP_PROCESS_SMAPS: ["process_smaps"],
  MEMSNAP_SMAPS_INTERVAL: ["smaps_interval_seconds"],
  MEMSNAP_ALERTS: ["alerts"],
  MEMSNAP_API_TOKEN: ["api_token"],
  MEMSNAP_LOG_LEVEL: ["log_level"],
  MEMSNAP_OVERHEAD_CRITICAL_PERCENT: ["thresholds", "overhead_critical_percent"],
  MEMSNAP_OVERHEAD_WARNING_PERCENT: ["thresholds", "overhead_warning_percent"],
  MEMSNAP_UNACCOUNTED_CRITICAL_MB: ["thresholds", "unaccounted_critical_mb"],
  MEMSNAP_HEALTH_CRITICAL_SCORE: ["thresholds", "health_critical_score"],
  MEMSNAP_QUANTIZATION_WARNING_PERCENT: ["thresholds", "quantization_warning_percent"],
  MEMSNAP_GROWTH_WARNING_MB_PER_HOUR: ["thresholds", "growth_warning_mb_per_hour"],
  MEMSNAP_GROWTH_MIN_WINDOW_MINUTES: ["thresholds", "growth_min_window_minutes"],
  MEMSNAP_OVERHEAD_MIN_MB: ["thresholds", "overhead_min_mb"],
  MEMSNAP_HOST_MEMORY_WARNING_PERCENT: ["thresholds", "host_memory_warning_percent"],
  MEMSNAP_HOST_MEMORY_CRITICAL_PERCENT: ["thresholds", "host_memory_critical_percent"],
  MEMSNAP_EXHAUSTION_CRITICAL_HOURS: ["thresholds", "exhaustion_critical_hours"],
  MEMSNAP_EXHAUSTION_WARNING_HOURS: ["thresholds", "exhaustion_warning_hours"],
  MEMSNAP_TREND_WINDOW: ["thresholds", "trend_window"],
  VECTORIZER_API_URL: ["cli", "api_url"],
  MEMORY_MONITOR_INTERVAL: ["cli", "monitor_interval_seconds"],
  MEMSNAP_EXTERNAL_URL: ["external_url"],
  MEMSNAP_WEB_CONFIG_FILE: ["web_config_file"],
  MEMSNAP_COLLECTION_SERIES_MAX: ["collection_series_max"],
  MEMSNAP_RUNBOOK_BASE_URL: ["runbook_base_url"],
  ...Object.fromEntries(Object.entries(ALERTING_ENV_PATHS).map(([name, keys]) => [name, ["alerting", ...keys]])),
};

/** Environment variable → field of the single target the environment describes. */
const TARGET_ENV_FIELDS: Record<string, string> = {
  MEMSNAP_TARGET: "kind",
  MEMSNAP_TARGET_NAME: "name",
  MEMSNAP_TARGET_URL: "url",
  MEMSNAP_TARGET_PID: "pid",
  MEMSNAP_TARGET_PID_FILE: "pid_file",
  MEMSNAP_TARGET_PROCESS: "process",
  MEMSNAP_TARGET_TIMEOUT_MS: "timeout_ms",
  MEMSNAP_TARGET_API_KEY: "api_key",
  MEMSNAP_TARGET_MAX_RESPONSE_BYTES: "max_response_bytes",
  MEMSNAP_TARGET_TENANT: "tenant",
  MEMSNAP_TARGET_DATABASE: "database",
  MEMSNAP_DEMO_SCALE: "scale",
};
const LOCATOR_VARS = ["MEMSNAP_TARGET_PID", "MEMSNAP_TARGET_PID_FILE", "MEMSNAP_TARGET_PROCESS"];

type Raw = Record<string, unknown>;

function setPath(obj: Raw, keys: string[], value: unknown): void {
  let node = obj;
  for (const key of keys.slice(0, -1)) {
    // A section the file leaves empty (null) or sets to a scalar gives way to the variable.
    node[key] = { ...(node[key] as Raw) };
    node = node[key] as Raw;
  }
  node[keys[keys.length - 1]] = value;
}

/**
 * What JSON.parse found wrong, without the text it quotes: V8 quotes a stretch of the file cut
 * anywhere, so a secret's value can show without the key that would let it be masked.
 */
function jsonSyntaxProblem(message: string): string {
  return message.replace(
    /^Unexpected token '.*', .* is not valid JSON$/s,
    "an unexpected character, not quoted here as the file may hold secrets",
  );
}

function readConfigFile(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([`${file}: cannot read the config file (${(err as Error).message})`]);
  }
  const ext = path.extname(file).toLowerCase();
  if (![".json", ".yaml", ".yml"].includes(ext)) {
    throw new ConfigError([`${file}: expected a .yaml, .yml or .json config file`]);
  }
  let parsed: unknown;
  try {
    parsed = ext === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    const message = (err as Error).message;
    const why =
      ext === ".json" ? jsonSyntaxProblem(message) : maskQuotedSecrets(message.trim().replace(/\s*\n\s*/g, " "));
    throw new ConfigError([`${file}: not valid ${ext === ".json" ? "JSON" : "YAML"} (${why})`]);
  }
  if (parsed === null) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigError([`${file}: expected a mapping of settings at the top level`]);
  }
  return parsed as Raw;
}

/**
 * The file's one target, which MEMSNAP_TARGET_* variables override field by field; a
 * locator variable replaces the file's locator. With several targets in the file the
 * variables would be ambiguous, and are refused.
 */
function fileTargetToOverride(raw: Raw, present: string[], file: string | undefined): Raw {
  const targets = raw.targets;
  if (!Array.isArray(targets)) return {};
  if (targets.length > 1) {
    throw new ConfigError([
      `MEMSNAP_TARGET_* variables (${present.join(", ")}) describe one target, but ${file ?? "the config file"} lists ${targets.length}: ` +
        "set these in the file's targets instead",
    ]);
  }
  const target = { ...(targets[0] as Raw) }; // {} when the file lists none
  if (!present.some((name) => LOCATOR_VARS.includes(name))) return target;
  const { pid: _pid, pid_file: _pidFile, process: _process, ...withoutLocator } = target;
  return withoutLocator;
}

function envTarget(env: Env, raw: Raw, file: string | undefined): { target: Raw; origins: Map<string, string> } | null {
  const present = Object.keys(TARGET_ENV_FIELDS).filter((name) => env[name] !== undefined);
  if (present.length === 0) return null;
  const origins = new Map<string, string>();
  const target = fileTargetToOverride(raw, present, file);
  for (const name of present) {
    target[TARGET_ENV_FIELDS[name]] = env[name];
    origins.set(`targets.0.${TARGET_ENV_FIELDS[name]}`, name);
  }
  if (target.kind === undefined) {
    target.kind = LOCATOR_VARS.some((name) => env[name] !== undefined) ? "none" : "demo";
  }
  if (target.name === undefined) target.name = target.kind;
  return { target, origins };
}

/** Variables memsnap reads that are set to nothing: an empty value is a mistake, not a zero. */
function emptyVariables(env: Env): string[] {
  return [...Object.keys(ENV_PATHS), ...Object.keys(TARGET_ENV_FIELDS)].filter((name) => env[name]?.trim() === "");
}

/** Variables whose values are secrets: a message names them but never repeats them. */
const SECRET_VARS = new Set(["MEMSNAP_API_TOKEN", "MEMSNAP_TARGET_API_KEY", ...ALERTING_SECRET_VARS]);

function describeIssue(issue: z.core.$ZodIssue, origins: Map<string, string>, raw: Raw, file?: string): string {
  const key = issue.path.join(".");
  const origin = origins.get(key);
  if (origin && SECRET_VARS.has(origin)) return `${origin} (value hidden): ${issue.message}`;
  if (origin) return `${origin}=${JSON.stringify(lookup(raw, issue.path))}: ${issue.message}`;
  const text = issueText(issue, "config");
  return file ? `${file}: ${text}` : text;
}

function lookup(raw: Raw, keys: PropertyKey[]): unknown {
  let node: unknown = raw;
  for (const key of keys) node = (node as Raw | undefined)?.[key as string];
  return node;
}

/**
 * Builds the configuration from an optional config file and the environment
 * (which overrides the file), validated by the one schema.
 */
export function loadConfig(env: Env, configFile?: string): Config {
  const raw: Raw = configFile ? readConfigFile(configFile) : {};
  const refused = [
    ...unknownKeys(raw, ConfigSchema).map((problem) => `${configFile}: ${problem}`),
    ...emptyVariables(env).map((name) => `${name} is set but empty: give it a value, or unset it for the default`),
  ];
  if (refused.length > 0) throw new ConfigError(refused);
  const origins = new Map<string, string>();
  for (const [name, keys] of Object.entries(ENV_PATHS)) {
    const value = env[name];
    if (value === undefined) continue;
    setPath(raw, keys, value);
    origins.set(keys.join("."), name);
  }
  const fromEnv = envTarget(env, raw, configFile);
  if (fromEnv) {
    raw.targets = [fromEnv.target];
    for (const [key, name] of fromEnv.origins) origins.set(key, name);
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => describeIssue(i, origins, raw, configFile)));
  }
  return result.data;
}
