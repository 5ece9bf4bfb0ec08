/** What the history chart draws, in bytes and Unix seconds; one entry per snapshot of the history. */
export interface ChartData {
  t: number[];
  rss: Array<number | null>;
  /** Null when no snapshot of the history has the figure. */
  working_set: Array<number | null> | null;
  unexplained: Array<number | null> | null;
  limit_bytes: number | null;
  limit_scope: "cgroup" | "host" | null;
  /** Where the trend says the limit is reached, while memory grows. */
  exhaustion: { t: number; bytes: number } | null;
}
