import type { SmapsReading } from "../sources/smaps";
import type {
  CgroupMemory,
  CollectionFigures,
  ProcessMemory,
  RuntimeFigures,
  SourceError,
  SystemMemory,
} from "../sources/types";

/** What one sampling round read for one target, before any arithmetic. */
export interface Sample {
  takenAt: Date;
  durationSeconds: number;
  /** `server_version`: what the database's API says it runs, when it says. */
  target: { name: string; kind: string; pid: number | null; url: string | null; server_version?: string | null };
  system: SystemMemory | null;
  process: ProcessMemory | null;
  /** When the process started, in clock ticks after boot: with the pid, what tells a restart. */
  processStartTicks?: number | null;
  cgroup: CgroupMemory | null;
  /** Empty for a target without an API; null when the API failed (see errors). */
  collections: CollectionFigures[] | null;
  /** What the database's runtime says about the memory it holds, where it says. */
  runtime?: RuntimeFigures | null;
  /** The last walk of /proc/<pid>/smaps (it runs on its own cadence); null when off or unreadable. */
  smaps?: SmapsReading | null;
  errors: SourceError[];
  /** Why the process or the API could not be reached; empty when the target is up. */
  downReasons: string[];
}
