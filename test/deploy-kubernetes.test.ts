import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse, stringify } from "yaml";
import { DEFAULT_RUNBOOK_BASE_URL } from "../src/runbook";
import { scratchDir } from "./helpers/scratch";
import { repoPath, repoRoot } from "./kit/repo";
import { runTool } from "./kit/tools";

const KUBERNETES = "deploy/kubernetes";
const GENERATOR = repoPath(KUBERNETES, "generate-prometheusrule.js");
const VALIDATOR = path.join(__dirname, "fixtures/validate-manifests.mjs");

interface Validation {
  file: string;
  apiVersion: string;
  kind: string;
  name: string;
  error: string | null;
}

function validate(files: string[]): Validation[] {
  const out = execFileSync(process.execPath, [VALIDATOR, ...files], { cwd: repoRoot, encoding: "utf8" });
  return out
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Validation);
}

const manifests = readdirSync(repoPath(KUBERNETES))
  .filter((name) => name.endsWith(".yaml"))
  .map((name) => path.posix.join(KUBERNETES, name));
const manifest = (name: string): any => parse(readFileSync(repoPath(KUBERNETES, name), "utf8"));

/** The groups of every rule file in alerts/, as Prometheus reads them. */
function alertsGroups(): any[] {
  return readdirSync(repoPath("alerts"))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => parse(readFileSync(repoPath("alerts", name), "utf8")))
    .filter((doc) => Array.isArray(doc?.groups))
    .flatMap((doc) => doc.groups);
}

describe("the Kubernetes manifests", () => {
  const dir = scratchDir("production-kubernetes");

  it("validate, every one, against the Kubernetes and prometheus-operator schemas", () => {
    const results = validate(manifests);
    expect(results.map((r) => r.kind).sort()).toEqual(["PrometheusRule", "Service", "ServiceMonitor", "StatefulSet"]);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
  });

  it("would catch a manifest the schema refuses", () => {
    const broken = manifest("statefulset.yaml");
    broken.spec.template.spec.containers[1].ports[0].containerPort = "eight thousand";
    const file = path.join(dir, "broken.yaml");
    writeFileSync(file, stringify(broken));
    expect(validate([file])[0].error).toMatch(/containerPort must be integer/);
  });

  it("run memsnap as a sidecar in the database's process namespace, finding it by name, as the database's user", () => {
    const pod = manifest("statefulset.yaml").spec.template.spec;
    expect(pod.shareProcessNamespace).toBe(true);
    const memsnap = pod.containers.find((c: { name: string }) => c.name === "memsnap");
    const env = Object.fromEntries(memsnap.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({
      MEMSNAP_TARGET: "vectorizer",
      MEMSNAP_TARGET_PROCESS: "vectorizer",
      MEMSNAP_TARGET_URL: "http://127.0.0.1:15002",
    });
    expect(memsnap.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(
      pod.containers.every(
        (c: { securityContext: { runAsUser?: number } }) => c.securityContext.runAsUser === undefined,
      ),
    ).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  });

  it("scrape the port the Service names, under the job the rules expect", () => {
    const service = manifest("service.yaml");
    const monitor = manifest("servicemonitor.yaml");
    expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(monitor.spec.endpoints[0].port);
    expect(monitor.spec.selector.matchLabels).toEqual(service.spec.selector);
    expect(monitor.spec.endpoints[0].relabelings).toContainEqual({ targetLabel: "job", replacement: "memsnap" });
  });
});

describe("the PrometheusRule", () => {
  const dir = scratchDir("production-prometheusrule");

  it("is what `npm run k8s:rules` generates from alerts/ now", () => {
    const generated = execFileSync(process.execPath, [GENERATOR, "--stdout"], { encoding: "utf8" });
    expect(readFileSync(repoPath(KUBERNETES, "prometheusrule.yaml"), "utf8")).toBe(generated);
  });

  it("holds the groups of alerts/ unchanged but for absolute runbook links under the default base", () => {
    const rule = manifest("prometheusrule.yaml");
    const relative = (url: string) => url.replace(`${DEFAULT_RUNBOOK_BASE_URL}#`, "docs/runbook.md#");
    const asInAlerts = rule.spec.groups.map((group: any) => ({
      ...group,
      rules: group.rules.map((r: any) =>
        r.annotations?.runbook_url
          ? { ...r, annotations: { ...r.annotations, runbook_url: relative(r.annotations.runbook_url) } }
          : r,
      ),
    }));
    expect(asInAlerts).toEqual(alertsGroups());
    const links = rule.spec.groups
      .flatMap((g: any) => g.rules.map((r: any) => r.annotations?.runbook_url))
      .filter(Boolean);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links)
      expect(link).toMatch(new RegExp(`^${DEFAULT_RUNBOOK_BASE_URL.replace(/[.]/g, "\\.")}#[a-z]+$`));
  });

  it("takes another runbook base from --runbook-base-url, and refuses a relative one", () => {
    const text = execFileSync(
      process.execPath,
      [GENERATOR, "--stdout", "--runbook-base-url", "https://wiki.example.com/memsnap"],
      { encoding: "utf8" },
    );
    expect(text).toContain("runbook_url: https://wiki.example.com/memsnap#overheadcritical");
    expect(() =>
      execFileSync(process.execPath, [GENERATOR, "--stdout", "--runbook-base-url", "docs/runbook.md"], {
        stdio: "pipe",
      }),
    ).toThrow(/needs an absolute http\(s\) URL/);
  });

  it("passes promtool check rules", async () => {
    const file = path.join(dir, "rules.yml");
    writeFileSync(file, stringify({ groups: manifest("prometheusrule.yaml").spec.groups }));
    const result = await runTool("promtool", ["check", "rules", file]);
    expect(result.output).toContain("SUCCESS");
    expect(result.code).toBe(0);
  });
});
