import type { Snapshot } from "./schema";

/** The latest snapshots of each target, oldest first, bounded. */
export class SnapshotHistory {
  private readonly byTarget = new Map<string, Snapshot[]>();

  constructor(private readonly capacity: number) {}

  add(snapshot: Snapshot): void {
    const name = snapshot.target.name;
    const list = this.byTarget.get(name) ?? [];
    list.push(snapshot);
    if (list.length > this.capacity) list.splice(0, list.length - this.capacity);
    this.byTarget.set(name, list);
  }

  latest(target: string): Snapshot | null {
    const list = this.byTarget.get(target);
    return list?.[list.length - 1] ?? null;
  }

  /** The most recent `limit` snapshots of a target, oldest first. */
  recent(target: string, limit: number): Snapshot[] {
    return (this.byTarget.get(target) ?? []).slice(-limit);
  }
}
