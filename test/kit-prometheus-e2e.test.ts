import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { startServe, type ServeProcess } from "./helpers/cli";
import { getJson, waitFor } from "./helpers/daemon";
import { HeldMemoryDatabase } from "./helpers/held-memory";
import { startPrometheus, type ReadyServer } from "./kit/processes";
import { repoPath, RULES_FILE } from "./kit/repo";

// End to end: a database whose collections hold a few bytes and whose process holds 600 MiB,
// watched by the built `memsnap serve` (nearly all its resident memory is unaccounted), scraped
// every second by the real prometheus binary with the repository's rules unchanged.
// UnaccountedMemoryCritical, which needs the collections' byte figure, must go past its 500 MiB
// line and fire.

const HELD_MIB = 600;
const FIRING_DEADLINE_MS = 90_000;

const PrometheusAlertsSchema = z.object({
  data: z.object({
    alerts: z.array(
      z.object({
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()),
        state: z.string(),
      }),
    ),
  }),
});
type PrometheusAlert = z.infer<typeof PrometheusAlertsSchema>["data"]["alerts"][number];

describe("the repository's rules in a real Prometheus scraping a real memsnap", () => {
  let workDir: string;
  let held: HeldMemoryDatabase | undefined;
  let memsnap: ServeProcess | undefined;
  let prometheus: ReadyServer | undefined;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), "memsnap-e2e-"));
    held = await HeldMemoryDatabase.start(HELD_MIB);
    memsnap = await startServe({
      MEMSNAP_HOST: "127.0.0.1",
      ...held.env("allocator"),
      MEMSNAP_SCHEDULE: "* * * * * *",
      MEMSNAP_ALERTS: "off",
      MEMSNAP_DATA_DIR: path.join(workDir, "memsnap-data"),
      MEMORY_OUTPUT_DIR: path.join(workDir, "snapshots"),
    });
    const config = path.join(workDir, "prometheus.yml");
    writeFileSync(
      config,
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        rule_files: [repoPath(RULES_FILE)],
        scrape_configs: [{ job_name: "memsnap", static_configs: [{ targets: [new URL(memsnap.url).host] }] }],
      }),
    );
    prometheus = await startPrometheus(config, workDir);
  }, 30_000);

  afterAll(async () => {
    await prometheus?.process.stop();
    if (memsnap?.child.exitCode === null) {
      memsnap.child.kill("SIGTERM");
      await memsnap.exited;
    }
    await held?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it(
    "fires UnaccountedMemoryCritical, visible in Prometheus's /api/v1/alerts",
    async () => {
      let alerts: PrometheusAlert[] = [];
      await waitFor(
        async () => {
          alerts = PrometheusAlertsSchema.parse((await getJson(`${prometheus?.url}/api/v1/alerts`)).body).data.alerts;
          return alerts.find((a) => a.labels.alertname === "UnaccountedMemoryCritical" && a.state === "firing");
        },
        "UnaccountedMemoryCritical to fire",
        FIRING_DEADLINE_MS,
      ).catch(() => undefined);

      const unaccounted = alerts.filter((a) => a.labels.alertname === "UnaccountedMemoryCritical");
      expect(unaccounted).toEqual([
        expect.objectContaining({
          state: "firing",
          labels: {
            alertname: "UnaccountedMemoryCritical",
            severity: "critical",
            job: "memsnap",
            instance: new URL(memsnap?.url ?? "").host,
            target: "allocator",
          },
        }),
      ]);
      expect(unaccounted[0]?.annotations.description).toMatch(
        /^allocator on \S+ has 6\d\d(\.\d+)?MiB of resident memory/,
      );
    },
    FIRING_DEADLINE_MS + 10_000,
  );
});
