import { isAlertedSeverity, type AlertedSeverity, type AlertingConfig } from "../config/alerting";
import { forMs, inhibitedBy } from "../snapshot/catalog";
import type { Finding } from "../snapshot/findings";

/**
 * inactive → pending (condition true for less than the code's `for`) → firing → resolved.
 * A pending alert whose condition clears goes back to inactive without a word.
 */
export type AlertPhase = "inactive" | "pending" | "firing" | "resolved";
export type NotificationKind = "firing" | "reminder" | "resolved";

export interface AlertState {
  target: string;
  alertname: string;
  severity: AlertedSeverity;
  phase: AlertPhase;
  /** When the alert entered its phase (ISO 8601). */
  since: string;
  /** Consecutive scheduled samples in which the condition held. */
  activeSamples: number;
  /** Consecutive samples in which the condition was clear while firing. */
  clearSamples: number;
  /** The latest finding for the alert: kept after it clears, so a resolved message can quote it. */
  message: string;
  value: number | null;
  threshold: number | null;
  /**
   * The last notification of the current episode; null before the first. Read only while the
   * alert fires (a reminder is due from it; a resolved message only when it is set): a new
   * episode starts with null.
   */
  notifiedAt: string | null;
  /** The firing alert that silences this one (see INHIBITS). */
  inhibitedBy: string | null;
  lastNotification: { kind: NotificationKind; at: string } | null;
}

/** Every alert's state, by alertKey(target, alertname). */
export type AlertBook = ReadonlyMap<string, AlertState>;

export interface AlertNotification {
  kind: NotificationKind;
  alert: AlertState;
}

export interface AlertRules {
  /** How long a code must hold at a severity before it fires: the catalog's `for`. */
  forMs(code: string, severity: AlertedSeverity): number;
  keepFiringSamples: number;
  repeatIntervalMs: number;
  sendResolved: boolean;
}

export function alertRules(config: AlertingConfig): AlertRules {
  return {
    forMs,
    keepFiringSamples: config.keep_firing_samples,
    repeatIntervalMs: config.repeat_interval,
    sendResolved: config.send_resolved,
  };
}

export const alertKey = (target: string, alertname: string) => `${target}/${alertname}`;

const isAlerted = (f: Finding): f is Finding & { severity: AlertedSeverity } => isAlertedSeverity(f.severity);

function startEpisode(
  finding: Finding & { severity: AlertedSeverity },
  target: string,
  now: string,
  rules: AlertRules,
): AlertState {
  return {
    target,
    alertname: finding.code,
    severity: finding.severity,
    phase: rules.forMs(finding.code, finding.severity) === 0 ? "firing" : "pending",
    since: now,
    activeSamples: 1,
    clearSamples: 0,
    message: finding.message,
    value: finding.value,
    threshold: finding.threshold,
    notifiedAt: null,
    inhibitedBy: null,
    lastNotification: null,
  };
}

function whileActive(
  prev: AlertState,
  finding: Finding & { severity: AlertedSeverity },
  target: string,
  now: string,
  rules: AlertRules,
): AlertState {
  if (prev.phase === "inactive" || prev.phase === "resolved") {
    return { ...startEpisode(finding, target, now, rules), lastNotification: prev.lastNotification };
  }
  const activeSamples = prev.activeSamples + 1;
  const heldMs = Date.parse(now) - Date.parse(prev.since);
  const fires = prev.phase === "pending" && heldMs >= rules.forMs(finding.code, finding.severity);
  return {
    ...prev,
    severity: finding.severity,
    phase: fires ? "firing" : prev.phase,
    since: fires ? now : prev.since,
    activeSamples,
    clearSamples: 0,
    message: finding.message,
    value: finding.value,
    threshold: finding.threshold,
  };
}

function whileClear(prev: AlertState, now: string, rules: AlertRules): AlertState {
  if (prev.phase === "pending") return { ...prev, phase: "inactive", since: now, activeSamples: 0 };
  if (prev.phase !== "firing") return prev;
  const clearSamples = prev.clearSamples + 1;
  if (clearSamples <= rules.keepFiringSamples) return { ...prev, activeSamples: 0, clearSamples };
  return { ...prev, phase: "resolved", since: now, activeSamples: 0, clearSamples: 0 };
}

/**
 * The firing alert of the same target that silences this one, if any: the catalog's
 * `inhibits`, the same pairs as the inhibit rules of alerts/alertmanager.yml.
 */
function inhibitorOf(alert: AlertState, targetAlerts: AlertState[]): string | null {
  const source = targetAlerts.find(
    (other) => other.phase === "firing" && inhibitedBy(other.alertname).includes(alert.alertname),
  );
  return source?.alertname ?? null;
}

function notificationKind(
  prev: AlertState | undefined,
  next: AlertState,
  nowMs: number,
  rules: AlertRules,
): NotificationKind | null {
  if (next.phase === "resolved" && prev?.phase === "firing") {
    return prev.notifiedAt !== null && rules.sendResolved ? "resolved" : null;
  }
  if (next.phase !== "firing" || next.inhibitedBy !== null) return null;
  if (next.notifiedAt === null) return "firing";
  return nowMs - Date.parse(next.notifiedAt) >= rules.repeatIntervalMs ? "reminder" : null;
}

function withNotification(alert: AlertState, kind: NotificationKind | null, now: string): AlertState {
  if (kind === null) return alert;
  return { ...alert, notifiedAt: now, lastNotification: { kind, at: now } };
}

export interface Evaluation {
  next: AlertBook;
  notifications: AlertNotification[];
}

/**
 * One step of every alert of one target, after a sample of that target: pure, so the
 * daemon, the tests and a restart all see the same transitions.
 */
export function evaluate(
  previous: AlertBook,
  target: string,
  findings: Finding[],
  now: Date,
  rules: AlertRules,
): Evaluation {
  const at = now.toISOString();
  const active = new Map<string, Finding & { severity: AlertedSeverity }>();
  for (const finding of findings.filter(isAlerted)) if (!active.has(finding.code)) active.set(finding.code, finding);
  const stepped = new Map<string, AlertState>();
  for (const alert of previous.values()) {
    if (alert.target !== target) continue;
    const finding = active.get(alert.alertname);
    stepped.set(
      alert.alertname,
      finding ? whileActive(alert, finding, target, at, rules) : whileClear(alert, at, rules),
    );
  }
  for (const [code, finding] of active) {
    if (!stepped.has(code)) stepped.set(code, startEpisode(finding, target, at, rules));
  }
  const targetAlerts = [...stepped.values()];
  const next = new Map(previous);
  const notifications: AlertNotification[] = [];
  for (const alert of targetAlerts) {
    const key = alertKey(target, alert.alertname);
    const inhibited = { ...alert, inhibitedBy: inhibitorOf(alert, targetAlerts) };
    const kind = notificationKind(previous.get(key), inhibited, now.getTime(), rules);
    const updated = withNotification(inhibited, kind, at);
    next.set(key, updated);
    if (kind !== null) notifications.push({ kind, alert: updated });
  }
  return { next, notifications };
}
