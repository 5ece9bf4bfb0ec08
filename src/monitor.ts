import type { Config } from "./config/schema";
import type { Logger } from "./log";
import type { MetricsExporter } from "./metrics/exporter";
import { buildSnapshot } from "./snapshot/build";
import type { SnapshotHistory } from "./snapshot/history";
import { sampleTarget, type SourceOutcome } from "./sampling/sampler";
import type { Snapshot } from "./snapshot/schema";
import { snapshotTrendPoints } from "./snapshot/trend";
import { ProcessStartTimes } from "./sources/process-start";
import { SmapsCadence } from "./sources/smaps";
import type { Target } from "./sources/target";

/** A target is sampled on request at most this often; requests in between share the latest sample. */
const FRESH_SAMPLE_MIN_INTERVAL_MS = 1000;

/**
 * One snapshot of a target: its sources read, its figures built against its recent history.
 * `smaps` carries the target's smaps walk between samples; without it, one walk for this snapshot.
 */
export async function takeSnapshot(
  target: Target,
  config: Config,
  history: SnapshotHistory,
  signal: AbortSignal,
  smaps: SmapsCadence = new SmapsCadence(config.smaps_interval_seconds),
  deadlineMs: number | undefined = config.sample_timeout,
): Promise<{ snapshot: Snapshot; sources: SourceOutcome[]; pid: number | null }> {
  const sample = await sampleTarget(target, signal, { smapsRollup: config.process_smaps, smaps, deadlineMs });
  const earlier = snapshotTrendPoints(history.recent(target.name, config.history_size));
  return {
    snapshot: buildSnapshot(sample, config.thresholds, earlier),
    sources: sample.sources,
    pid: sample.target.pid,
  };
}

/**
 * Samples targets and feeds what it reads to the history and the metrics.
 * One sample per target at a time: a request for a target already being sampled
 * joins the sample under way. Only scheduled samples drive the alerts: a `?fresh=true`
 * request is answered and recorded, but cannot make an alert fire sooner than its `for`.
 */
export class Monitor {
  private readonly inFlight = new Map<string, Promise<Snapshot>>();
  /** The snapshots the alerts have seen, so a scheduled tick joining a sample under way does not count it twice. */
  private readonly observed = new WeakSet<Snapshot>();
  /** The latest sample taken on request, per target, and when it was asked for. */
  private readonly lastFresh = new Map<string, { askedAtMs: number; snapshot: Promise<Snapshot> }>();
  private readonly sampled = new Set<string>();
  private readonly smaps = new Map<string, SmapsCadence>();
  private readonly abort = new AbortController();
  private readonly startTimes = new ProcessStartTimes();

  constructor(
    private readonly targets: Map<string, Target>,
    private readonly config: Config,
    private readonly history: SnapshotHistory,
    private readonly exporter: MetricsExporter,
    private readonly log: Logger,
    /** Runs synchronously after each scheduled snapshot is recorded (alert evaluation); must not throw. */
    private readonly afterSample: (snapshot: Snapshot) => void = () => undefined,
    /** A sample ends within this long, with what was read by then; undefined: no deadline. */
    private readonly deadline: () => number | undefined = () => config.sample_timeout,
  ) {}

  get ready(): boolean {
    return [...this.targets.keys()].every((name) => this.sampled.has(name));
  }

  /** Samples one target within `deadlineMs` (the monitor's own deadline by default); a request for a target under way joins it. */
  private sample(name: string, deadlineMs = this.deadline()): Promise<Snapshot> {
    const running = this.inFlight.get(name);
    if (running) return running;
    const target = this.targets.get(name);
    if (target === undefined) return Promise.reject(new Error(`no target named ${JSON.stringify(name)}`));
    const next = this.run(target, deadlineMs).finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, next);
    return next;
  }

  /**
   * A snapshot taken on request (`?fresh=true`): a new sample (or the one under way), except
   * within a second of the last request's, which it shares. It never drives the alerts.
   */
  sampleFresh(name: string): Promise<Snapshot> {
    const last = this.lastFresh.get(name);
    const nowMs = Date.now();
    if (last !== undefined && nowMs - last.askedAtMs < FRESH_SAMPLE_MIN_INTERVAL_MS) return last.snapshot;
    const snapshot = this.sample(name);
    this.lastFresh.set(name, { askedAtMs: nowMs, snapshot });
    return snapshot;
  }

  /** The scheduled sample of one target: the one that advances its alerts. */
  async sampleScheduled(name: string, deadlineMs = this.deadline()): Promise<Snapshot> {
    const snapshot = await this.sample(name, deadlineMs);
    if (!this.observed.has(snapshot)) {
      this.observed.add(snapshot);
      this.afterSample(snapshot);
    }
    return snapshot;
  }

  async sampleAll(deadlineMs = this.deadline()): Promise<void> {
    await Promise.all([...this.targets.keys()].map((name) => this.sampleScheduled(name, deadlineMs)));
  }

  /** Stops sampling: requests to the databases under way are aborted. */
  async close(): Promise<void> {
    this.abort.abort(new Error("memsnap is stopping"));
    await Promise.allSettled(this.inFlight.values());
  }

  private async run(target: Target, deadlineMs: number | undefined): Promise<Snapshot> {
    const smaps = this.smapsCadence(target.name);
    const { snapshot, sources, pid } = await takeSnapshot(
      target,
      this.config,
      this.history,
      this.abort.signal,
      smaps,
      deadlineMs,
    );
    const startTimeSeconds = await this.startTimes.of(pid);
    // A reload replaced or removed the target while it was sampled: its figures are not recorded.
    if (this.targets.get(target.name) !== target) return snapshot;
    this.history.add(snapshot);
    this.exporter.applySnapshot(snapshot, sources, startTimeSeconds);
    this.sampled.add(target.name);
    this.logSample(snapshot);
    return snapshot;
  }

  private smapsCadence(name: string): SmapsCadence {
    let cadence = this.smaps.get(name);
    if (cadence === undefined) {
      cadence = new SmapsCadence(this.config.smaps_interval_seconds);
      this.smaps.set(name, cadence);
    }
    return cadence;
  }

  private logSample(snapshot: Snapshot): void {
    const fields = {
      target: snapshot.target.name,
      duration_ms: Math.round(snapshot.sample_duration_seconds * 1000),
      rss_mb: snapshot.process_info.physical_memory_mb,
      unaccounted_mb: snapshot.discrepancy_analysis.unaccounted_memory_mb,
      health_score: snapshot.health.score,
    };
    if (snapshot.errors.length > 0) this.log.warn({ ...fields, errors: snapshot.errors }, "sampled with errors");
    else this.log.debug(fields, "sampled");
  }
}
