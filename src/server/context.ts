import type { Alerter } from "../alerts/alerter";
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import type { MetricsExporter } from "../metrics/exporter";
import type { BasicAuth } from "./basic-auth";
import type { SnapshotHistory } from "../snapshot/history";
import type { Snapshot } from "../snapshot/schema";

/** What the routes may use: the daemon's state, never its wiring. */
export interface ServerDeps {
  config: Config;
  log: Logger;
  exporter: MetricsExporter;
  history: SnapshotHistory;
  /** The watched targets' names; a reload updates this array in place. */
  targetNames: string[];
  /** Basic authentication by the web configuration file, on every route; absent: none. */
  basicAuth?: BasicAuth;
  /** The built-in alerting; absent when MEMSNAP_ALERTS=off. */
  alerter?: Alerter | null;
  isReady(): boolean;
  /** The address the HTTP server bound (server.address()); null before it listens. */
  boundAddress?: () => string | null;
  /** Samples one target now (joining a sample already under way). */
  sampleNow(target: string): Promise<Snapshot>;
}
