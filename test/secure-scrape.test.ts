import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import os from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import { stringify } from "yaml";
import { z } from "zod";
import { httpsGet, makeCertificate, makeCertificateAuthority } from "./helpers/certificates";
import { startServe, type ServeProcess } from "./helpers/cli";
import { getJson, waitFor } from "./helpers/daemon";
import { startPrometheus, type ReadyServer } from "./kit/processes";

// memsnap behind the exporter-toolkit web configuration: TLS with a certificate made by openssl and
// basic auth with a bcrypt hash, scraped by the real prometheus binary. A second and third job scrape
// it with a wrong password and over plain HTTP: both must be down.

const USER = "prometheus";
const PASSWORD = "correct horse battery staple";
const SCRAPE_DEADLINE_MS = 30_000;

const QuerySchema = z.object({
  data: z.object({
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
  }),
});

/** A plain-HTTP GET; resolves with the status, or with the error's message when there is no HTTP answer. */
function plainGet(url: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", (err) => resolve(err.message));
    req.end();
  });
}

describe("a real Prometheus scraping memsnap over TLS with basic auth", () => {
  // The folder is removed here, after the processes writing into it have stopped.
  afterAll(async () => {
    await prometheus?.process.stop();
    if (memsnap?.child.exitCode === null) {
      memsnap.child.kill("SIGTERM");
      await memsnap.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), "memsnap-production-secure-scrape-"));
  let ca: { cert: string; key: string };
  let memsnap: ServeProcess;
  let prometheus: ReadyServer | undefined;
  let httpsUrl: string;

  beforeAll(async () => {
    ca = makeCertificateAuthority(dir);
    const server = makeCertificate(dir, ca, "memsnap");
    const webConfig = path.join(dir, "web.yml");
    writeFileSync(
      webConfig,
      stringify({
        tls_server_config: { cert_file: path.basename(server.cert), key_file: server.key, min_version: "TLS12" },
        basic_auth_users: { [USER]: bcrypt.hashSync(PASSWORD, 10).replace(/^\$2b\$/, "$2y$") },
      }),
    );
    memsnap = await startServe(
      {
        MEMSNAP_HOST: "127.0.0.1",
        MEMSNAP_DEMO_SCALE: "0.02",
        MEMSNAP_SCHEDULE: "* * * * * *",
        MEMSNAP_ALERTS: "off",
        MEMSNAP_DATA_DIR: path.join(dir, "data"),
        MEMORY_OUTPUT_DIR: path.join(dir, "out"),
      },
      ["--web.config.file", webConfig],
    );
    httpsUrl = memsnap.url;
    const host = new URL(httpsUrl).host;
    writeFileSync(path.join(dir, "good-password"), PASSWORD);
    const prometheusConfig = path.join(dir, "prometheus.yml");
    const job = (name: string, extra: Record<string, unknown>) => ({
      job_name: name,
      static_configs: [{ targets: [host] }],
      ...extra,
    });
    const tls = { scheme: "https", tls_config: { ca_file: ca.cert } };
    writeFileSync(
      prometheusConfig,
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        scrape_configs: [
          job("memsnap", { ...tls, basic_auth: { username: USER, password_file: path.join(dir, "good-password") } }),
          job("wrong-password", { ...tls, basic_auth: { username: USER, password: "not the password" } }),
          job("plain-http", { scheme: "http", basic_auth: { username: USER, password: PASSWORD } }),
        ],
      }),
    );
    prometheus = await startPrometheus(prometheusConfig, dir);
  }, 60_000);

  async function query(promql: string) {
    const { body } = await getJson(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return QuerySchema.parse(body).data.result;
  }

  it("listens on https and logs that TLS and basic auth are on", () => {
    expect(httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(memsnap.logs.find((l) => l.msg === "listening")).toMatchObject({ tls: true, basic_auth: true });
  });

  it(
    "is scraped by the job with the password; the wrong password and plain HTTP leave their jobs down",
    async () => {
      // The first scrape pays bcrypt (a quarter of a second, more on a busy machine); later ones hit the cache.
      const up = await waitFor(
        async () => {
          const results = new Map((await query("up")).map((r) => [r.metric.job, r.value[1]]));
          return results.size === 3 && results.get("memsnap") === "1" ? results : undefined;
        },
        "the memsnap job to be up",
        SCRAPE_DEADLINE_MS,
      );
      expect(Object.fromEntries(up)).toEqual({ memsnap: "1", "wrong-password": "0", "plain-http": "0" });
      const targetUp = await waitFor(
        async () => (await query('memsnap_target_up{job="memsnap"}'))[0],
        "memsnap_target_up",
        SCRAPE_DEADLINE_MS,
      );
      expect(targetUp.value[1]).toBe("1");
      const { body } = await getJson(`${prometheus!.url}/api/v1/targets`);
      const lastErrors = Object.fromEntries(
        body.data.activeTargets.map((t: { labels: { job: string }; lastError: string }) => [t.labels.job, t.lastError]),
      );
      expect(lastErrors["wrong-password"]).toMatch(/401/);
      expect(lastErrors.memsnap).toBe("");
    },
    SCRAPE_DEADLINE_MS + 10_000,
  );

  it.each(["/metrics", "/api/v1/memory-snapshot", "/api/v1/memory-snapshot/history", "/api/v1/alerts", "/"])(
    "answers %s with 401 without credentials or with a wrong password, and serves it with the right one",
    async (route) => {
      const ca_ = { ca: readFileSync(ca.cert) };
      const anonymous = await httpsGet(`${httpsUrl}${route}`, ca_);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers["www-authenticate"]).toMatch(/^Basic realm="memsnap"/);
      expect(JSON.parse(anonymous.body)).toMatchObject({ code: "unauthorized" });
      expect((await httpsGet(`${httpsUrl}${route}`, { ...ca_, user: USER, password: "wrong" })).status).toBe(401);
      expect((await httpsGet(`${httpsUrl}${route}`, { ...ca_, user: "nobody", password: PASSWORD })).status).toBe(401);
      const allowed = await waitFor(async () => {
        const answer = await httpsGet(`${httpsUrl}${route}`, { ...ca_, user: USER, password: PASSWORD });
        return answer.status === 503 ? undefined : answer;
      }, `${route} past the first sample`);
      expect(allowed.status).not.toBe(401);
      if (route !== "/") expect(allowed.status).toBe(200);
    },
  );

  it("answers the probes without credentials", async () => {
    expect((await httpsGet(`${httpsUrl}/healthz`, { ca: readFileSync(ca.cert) })).status).toBe(200);
  });

  it("gives no HTTP answer in plain text on its port", async () => {
    const answer = await plainGet(httpsUrl.replace(/^https:/, "http:") + "/metrics");
    expect(answer).not.toBe(200);
    expect(answer).not.toBe(401);
  });
});
