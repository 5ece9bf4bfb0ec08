import { Counter, type Registry } from "prom-client";
import type { Snapshot } from "../snapshot/schema";
import { sameProcess, type ProcessIdentity } from "../snapshot/trend";

/**
 * memsnap_cgroup_oom_kills_total and memsnap_target_restarts_total: counters fed from the
 * kernel's OOM-kill count (which starts where the kernel's stands) and from changes of the
 * target's process (pid, or start time under the same pid).
 */
export class EventCounters {
  private readonly oomKills: Counter;
  private readonly restarts: Counter;
  private readonly lastOomKills = new Map<string, number>();
  private readonly lastProcess = new Map<string, ProcessIdentity>();

  constructor(registry: Registry) {
    this.oomKills = new Counter({
      name: "memsnap_cgroup_oom_kills_total",
      help: "OOM kills in the target's cgroup (cgroup v2 memory.events oom_kill, v1 memory.oom_control oom_kill), as the kernel counts them.",
      labelNames: ["target"],
      registers: [registry],
    });
    this.restarts = new Counter({
      name: "memsnap_target_restarts_total",
      help: "Restarts of the target's process seen by memsnap: its start time or, under a name or pid file, its pid changed.",
      labelNames: ["target"],
      registers: [registry],
    });
  }

  apply(snapshot: Snapshot): void {
    const target = snapshot.target.name;
    this.countOomKills(target, snapshot.cgroup_info?.oom_kills ?? null);
    this.countRestart(target, {
      pid: snapshot.process_info.pid,
      processStartTicks: snapshot.process_info.start_time_ticks ?? null,
    });
  }

  private countOomKills(target: string, kills: number | null): void {
    if (kills === null) return;
    const last = this.lastOomKills.get(target);
    const rise = last === undefined || kills < last ? kills : kills - last;
    this.oomKills.inc({ target }, rise);
    this.lastOomKills.set(target, kills);
  }

  private countRestart(target: string, current: ProcessIdentity): void {
    this.restarts.inc({ target }, 0);
    if (current.pid === null) return;
    const last = this.lastProcess.get(target);
    if (last !== undefined && !sameProcess(last, current)) this.restarts.inc({ target });
    this.lastProcess.set(target, current);
  }
}
