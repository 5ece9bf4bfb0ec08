import { z } from "zod";
import type { CollectionDetail, Snapshot } from "../snapshot/schema";

/**
 * Figures that newer snapshots carry and older ones (and seed-shaped files) do not: the
 * attribution (SPEC 3a), the model's per-collection expectation and the cgroup working set.
 * Each is read where present and is null where absent, so the page shows what it has.
 */
const AttributionPartSchema = z.object({
  part: z.string(),
  bytes: z.number().nonnegative(),
  source: z.string(),
  share_of_rss: z.number().nullable().optional(),
});

const AttributionSchema = z.object({
  parts: z.array(AttributionPartSchema),
  read_at: z.string().nullable().optional(),
});

export type Attribution = z.infer<typeof AttributionSchema>;
export type AttributionPart = z.infer<typeof AttributionPartSchema>;

export function attributionOf(snapshot: Snapshot): Attribution | null {
  const parsed = AttributionSchema.safeParse((snapshot as { memory_attribution?: unknown }).memory_attribution);
  return parsed.success && parsed.data.parts.length > 0 ? parsed.data : null;
}

/** The attribution's `unexplained` part, when the snapshot has an attribution. */
export function unexplainedBytes(snapshot: Snapshot): number | null {
  return attributionOf(snapshot)?.parts.find((p) => p.part === "unexplained")?.bytes ?? null;
}

const optionalNumber = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

export function expectedBytes(collection: CollectionDetail): number | null {
  return optionalNumber((collection as { expected_bytes?: unknown }).expected_bytes);
}

export function workingSetBytes(snapshot: Snapshot): number | null {
  return optionalNumber((snapshot.cgroup_info as { working_set_bytes?: unknown } | null)?.working_set_bytes);
}

/** The line memory runs into: the cgroup limit when one is set, else the host's memory. */
export function memoryLimit(snapshot: Snapshot): { bytes: number; scope: "cgroup" | "host" } | null {
  const cgroup = snapshot.cgroup_info?.limit_bytes ?? null;
  if (cgroup !== null) return { bytes: cgroup, scope: "cgroup" };
  const host = snapshot.system_info.total_memory_bytes;
  return host === null ? null : { bytes: host, scope: "host" };
}
