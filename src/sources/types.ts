/** Host memory, from the operating system. */
export interface SystemMemory {
  totalBytes: number;
  availableBytes: number;
  usedBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
}

/** Memory of the watched process; null where the platform does not tell. */
export interface ProcessMemory {
  pid: number;
  residentBytes: number | null;
  virtualBytes: number | null;
  peakResidentBytes: number | null;
  anonymousBytes: number | null;
  fileBytes: number | null;
  shmemBytes: number | null;
  stackBytes: number | null;
  swapBytes: number | null;
  pssBytes: number | null;
  sharedBytes: number | null;
  cpuPercent: number | null;
}

/** The memory controller of the cgroup the process runs in: the real OOM line in a container. */
export interface CgroupMemory {
  version: 1 | 2;
  /** The process's own (leaf) cgroup. */
  path: string;
  /** The tightest hard limit up the hierarchy (v2 `memory.max` of each ancestor; v1 `hierarchical_memory_limit`); null when none is set. */
  limitBytes: number | null;
  /** The cgroup that sets `limitBytes`, as far as memsnap can see it. */
  limitPath: string | null;
  /** The working set of the cgroup that sets the limit: what the kernel holds against it. */
  limitWorkingSetBytes: number | null;
  /** v2 `memory.high`, the tightest up the hierarchy: the soft line where the kernel starts throttling. */
  softLimitBytes: number | null;
  /** The leaf cgroup's usage (v2 `memory.current`, v1 `memory.usage_in_bytes`): includes reclaimable page cache. */
  usageBytes: number | null;
  /** Usage − inactive file cache, as the kubelet computes it. */
  workingSetBytes: number | null;
  /** OOM kills in the leaf cgroup since it was made (v2 `memory.events` oom_kill, v1 `memory.oom_control` oom_kill). */
  oomKills: number | null;
}

/** Quantization as memsnap names it: none, sq8 (sqN), pq, binary. */
export type Quantization = "none" | "pq" | "binary" | `sq${number}`;

/** One collection as the database describes it. */
export interface CollectionFigures {
  name: string;
  dimension: number;
  vectorCount: number;
  documentCount: number | null;
  metric: string | null;
  quantization: Quantization;
  /** The database's own byte count for the collection; null when it gives none. */
  actualBytes: number | null;
  indexBytes: number | null;
  payloadBytes: number | null;
  /**
   * What the database says the collection holds in anonymous (heap) memory, where it says so
   * apart from its total (Qdrant `ram_bytes`). Absent: the attribution takes `actualBytes`.
   */
  anonymousBytes?: number | null;
  /** Resident pages of the collection's memory-mapped files, by the database's own count (Qdrant `cached_bytes`). */
  mappedResidentBytes?: number | null;
  /** Where `actualBytes` comes from and what it is, e.g. "qdrant /collections/{name}/memory: ram_bytes + cached_bytes (measured)". */
  actualSource?: string | null;
  /** How the database lays the collection out, for the model's `expected_bytes`; absent: float32 vectors, no graph. */
  layout?: CollectionLayout;
}

/** What the database keeps for a collection, as far as its API tells (the model's input). */
export interface CollectionLayout {
  /** Bytes per component of the stored vectors: float32 4, float16 2, uint8 1. */
  componentBytes: number;
  /** Whether the full-precision originals stay beside a quantized copy (Qdrant: yes; Vectorizer: no). */
  keepsOriginals: boolean;
  /** HNSW links per node on the upper levels (`m`; level 0 holds 2·m); null: no HNSW graph. */
  hnswM: number | null;
  /** HNSW graphs over the points (Qdrant: one per named dense vector); absent: 1. */
  graphs?: number;
  /** Graph nodes the database allocates (Chroma grows by doubling from 10 000); absent: one per vector. */
  allocatedNodes?: number;
  /** Bytes per graph node beside its links and vector (hnswlib's 8-byte label); absent: 0. */
  nodeLabelBytes?: number;
  /** How SQ8 is applied to this collection (the API call, or that it must be rebuilt); null: the database offers no quantization. */
  enableSq8?: string | null;
}

/** What the database's runtime or allocator says about the memory it holds. */
export interface RuntimeFigures {
  /** Held by the allocator or garbage collector but not in use by the program (jemalloc resident − allocated; V8 committed − used). */
  allocatorFreeBytes: number | null;
  /** Where the figure comes from, e.g. "qdrant /metrics (jemalloc)" or "demo V8 heap statistics". */
  source: string;
}

/** What one read of a database's API gave. */
export interface CollectionsReading {
  /** The server's own version string, when its API tells it. */
  serverVersion: string | null;
  collections: CollectionFigures[];
  /** The runtime's own figures, where the database exposes them. */
  runtime?: RuntimeFigures | null;
}

/**
 * Where collection figures come from: one module per database API. An API that cannot be
 * used throws; a figure the source refuses (implausible, unreadable) is left null and
 * explained in `errors`, and the rest of the reading stands.
 */
export interface CollectionSource {
  readonly kind: string;
  collections(signal: AbortSignal, errors: SourceError[]): Promise<CollectionsReading>;
}

/** A figure that could not be read, and why. */
export interface SourceError {
  source: string;
  message: string;
}
