import { z } from "zod";
import type { Snapshot } from "../snapshot/schema";

/**
 * Figures that newer snapshots carry and older ones (and seed-shaped files) do not: the
 * attribution (SPEC 3a) and the cgroup working set.
 * Each is read where present and is null where absent, so the page shows what it has.
 */
const AttributionPartSchema = z.object({
  part: z.string(),
  bytes: z.number().nonnegative(),
  source: z.string(),
  share_of_rss: z.number().nullable().optional(),
});

const MappingSchema = z.object({
  part: z.string(),
  collection: z.string().nullable().optional(),
  rss_bytes: z.number(),
});

const AttributionSchema = z.object({
  parts: z.array(AttributionPartSchema),
  mappings_top: z.array(z.unknown()).optional(),
  read_at: z.string().nullable().optional(),
});

export type Attribution = z.infer<typeof AttributionSchema>;
export type AttributionPart = z.infer<typeof AttributionPartSchema>;

export function attributionOf(snapshot: Snapshot): Attribution | null {
  const parsed = AttributionSchema.safeParse((snapshot as { memory_attribution?: unknown }).memory_attribution);
  return parsed.success && parsed.data.parts.length > 0 ? parsed.data : null;
}

/**
 * Resident bytes of mapped files per collection, from the largest mappings of the last smaps walk
 * (the attribution keeps the top 20 only, so this is a lower bound), largest first.
 */
export function mappedBytesByCollection(attribution: Attribution): Array<[string, number]> {
  const byCollection = new Map<string, number>();
  for (const entry of attribution.mappings_top ?? []) {
    const mapping = MappingSchema.safeParse(entry);
    if (!mapping.success || mapping.data.part !== "data_files" || !mapping.data.collection) continue;
    byCollection.set(
      mapping.data.collection,
      (byCollection.get(mapping.data.collection) ?? 0) + mapping.data.rss_bytes,
    );
  }
  return [...byCollection].sort((a, b) => b[1] - a[1]);
}

/** The attribution's `unexplained` part, when the snapshot has an attribution. */
export function unexplainedBytes(snapshot: Snapshot): number | null {
  return attributionOf(snapshot)?.parts.find((p) => p.part === "unexplained")?.bytes ?? null;
}

const optionalNumber = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

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
