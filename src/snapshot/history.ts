import type { Snapshot } from "./schema";

/** Equal when every field of two flat records is the same value. */
function sameFields<T extends object>(a: T, b: T): boolean {
  for (const key in a) if (a[key] !== b[key]) return false;
  return true;
}

/**
 * `next`, where each item equal to an item of `previous` (same key, same fields) is that item;
 * `previous` itself when the two lists are equal.
 */
function shareUnchanged<T extends object | string>(next: T[], previous: T[], key: (item: T) => string): T[] {
  const previousByKey = new Map(previous.map((item) => [key(item), item]));
  let changed = next.length !== previous.length;
  const shared = next.map((item, index) => {
    const before = previousByKey.get(key(item));
    if (before === undefined || (typeof item === "object" && typeof before === "object" && !sameFields(item, before))) {
      changed = true;
      return item;
    }
    if (previous[index] !== before) changed = true;
    return before;
  });
  return changed ? shared : previous;
}

/** Makes the per-collection parts of `next` share what did not change since `previous`. */
function shareWithPrevious(next: Snapshot, previous: Snapshot): void {
  const collections = next.collections_info;
  collections.collections_detail = shareUnchanged(
    collections.collections_detail,
    previous.collections_info.collections_detail,
    (c) => c.name,
  );
  next.findings = shareUnchanged(next.findings, previous.findings, (f) => `${f.code}\n${f.message}`);
  next.recommendations = shareUnchanged(next.recommendations, previous.recommendations, (r) => r);
}

/**
 * The latest snapshots of each target, oldest first, bounded. What did not change since the
 * previous snapshot (a collection's figures, a finding) is shared with it rather than copied:
 * at 10 000 collections, 480 copies of every collection would take gigabytes.
 */
export class SnapshotHistory {
  private readonly byTarget = new Map<string, Snapshot[]>();

  constructor(private readonly capacity: number) {}

  add(snapshot: Snapshot): void {
    const name = snapshot.target.name;
    const list = this.byTarget.get(name) ?? [];
    const previous = list.at(-1);
    if (previous !== undefined) shareWithPrevious(snapshot, previous);
    list.push(snapshot);
    if (list.length > this.capacity) list.shift();
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
