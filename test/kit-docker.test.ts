import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { readRepoText, readRepoYaml, repoPath } from "./kit/repo";
import { runTool } from "./kit/tools";

// The Docker CLI here has no compose plugin (and no engine), so `docker compose config` cannot
// check docker-compose.yml: this test reads it instead and follows every path it mounts.

const ServiceSchema = z.object({
  image: z.string().optional(),
  read_only: z.boolean().optional(),
  cap_drop: z.array(z.string()).default([]),
  security_opt: z.array(z.string()).default([]),
  build: z.string().optional(),
  environment: z.record(z.string(), z.string()).default({}),
  ports: z.array(z.string()).default([]),
  volumes: z.array(z.string()).default([]),
});
type Service = z.infer<typeof ServiceSchema>;

const ComposeSchema = z.object({
  services: z.record(z.string(), ServiceSchema),
  volumes: z.record(z.string(), z.null()).default({}),
});

const compose = ComposeSchema.parse(readRepoYaml("docker-compose.yml"));
const serviceNames = Object.keys(compose.services);

function service(name: string): Service {
  const found = compose.services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

interface Mount {
  source: string;
  target: string;
}

function mounts(of: Service): Mount[] {
  return of.volumes.map((volume) => {
    const [source = "", target = ""] = volume.split(":");
    return { source, target };
  });
}

function bindMounts(of: Service): Mount[] {
  return mounts(of).filter((mount) => mount.source.startsWith("."));
}

/** The repository path a service sees at `containerPath`, through its bind mounts. */
function repoPathInside(of: Service, containerPath: string): string | undefined {
  const mount = bindMounts(of).find(({ target }) => containerPath === target || containerPath.startsWith(`${target}/`));
  return mount && path.posix.join(mount.source, path.posix.relative(mount.target, containerPath));
}

/** The compose service an address like `http://name:port` or `name:port` points at. */
function serviceOf(address: string): string {
  return address.replace(/^\w+:\/\//, "").split(":")[0] ?? "";
}

const dockerfile = readRepoText("Dockerfile");

function dockerfileInstructions(keyword: string): string[] {
  return dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .filter((line) => line.startsWith(`${keyword} `))
    .map((line) => line.slice(keyword.length + 1).trim());
}

describe("docker-compose.yml", () => {
  it("mounts only files and folders that exist in the repository", () => {
    const missing = Object.values(compose.services)
      .flatMap(bindMounts)
      .filter(({ source }) => !existsSync(repoPath(source)))
      .map(({ source }) => source);
    expect(missing).toEqual([]);
  });

  it("declares every named volume it mounts", () => {
    const named = Object.values(compose.services)
      .flatMap(mounts)
      .filter(({ source }) => !source.startsWith("."))
      .map(({ source }) => source);
    expect(named.filter((name) => !(name in compose.volumes))).toEqual([]);
  });

  it("pins every image it pulls to a version", () => {
    const pulled = Object.values(compose.services).filter((s) => s.build === undefined);
    const unpinned = pulled
      .map((s) => s.image ?? "")
      .filter((image) => !/:[\w][\w.-]*$/.test(image) || image.endsWith(":latest"));
    expect(unpinned).toEqual([]);
  });

  it("builds memsnap from the repository's Dockerfile and publishes the port the image exposes", () => {
    const memsnap = service("memsnap");
    expect(memsnap.build).toBe(".");
    expect(existsSync(repoPath(memsnap.build ?? "", "Dockerfile"))).toBe(true);
    const exposed = dockerfileInstructions("EXPOSE");
    expect(memsnap.ports.map((port) => port.split(":").at(-1))).toEqual(exposed);
  });

  it("gives Prometheus a configuration promtool accepts, reading the repository's rules", async () => {
    const prometheus = service("prometheus");
    const configInContainer = "/etc/prometheus/prometheus.yml";
    const config = repoPathInside(prometheus, configInContainer);
    expect(config).toBe("prometheus/prometheus.yml");

    const { code, output } = await runTool("promtool", ["check", "config", config ?? ""]);
    expect(output).toContain("SUCCESS: 1 rule files found");
    expect(code).toBe(0);

    const parsed = z
      .object({
        rule_files: z.array(z.string()),
        alerting: z.object({
          alertmanagers: z.array(z.object({ static_configs: z.array(z.object({ targets: z.array(z.string()) })) })),
        }),
        scrape_configs: z.array(
          z.object({ job_name: z.string(), static_configs: z.array(z.object({ targets: z.array(z.string()) })) }),
        ),
      })
      .parse(readRepoYaml(config ?? ""));
    const rulesInContainer = parsed.rule_files.map((file) =>
      path.posix.resolve(path.posix.dirname(configInContainer), file),
    );
    expect(rulesInContainer.map((file) => repoPathInside(prometheus, file))).toEqual(["alerts/memsnap.rules.yml"]);

    const addresses = [
      ...parsed.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((s) => s.targets)),
      ...parsed.scrape_configs.flatMap((job) => job.static_configs.flatMap((s) => s.targets)),
    ];
    expect(addresses.map(serviceOf).filter((name) => !serviceNames.includes(name))).toEqual([]);
    expect(parsed.scrape_configs.map((job) => job.job_name)).toContain("memsnap");
  });

  it("gives Alertmanager the repository's configuration and the folder of its Slack webhook URL", () => {
    const alertmanager = service("alertmanager");
    expect(repoPathInside(alertmanager, "/etc/alertmanager/alertmanager.yml")).toBe("alerts/alertmanager.yml");
    const { global } = z
      .object({ global: z.object({ slack_api_url_file: z.string(), smtp_smarthost: z.string() }) })
      .parse(readRepoYaml("alerts/alertmanager.yml"));
    expect(repoPathInside(alertmanager, path.posix.dirname(global.slack_api_url_file))).toBe("alerts/secrets");
    expect(serviceNames).toContain(serviceOf(global.smtp_smarthost));
  });

  it("provisions Grafana with the repository's dashboard and data sources", () => {
    const grafana = service("grafana");
    const provisioning = (kind: string): string | undefined =>
      repoPathInside(grafana, `/etc/grafana/provisioning/${kind}`);
    expect(provisioning("dashboards")).toBe("grafana/provisioning/dashboards");
    expect(provisioning("datasources")).toBe("grafana/provisioning/datasources");

    const { providers } = z
      .object({ providers: z.array(z.object({ options: z.object({ path: z.string() }) })) })
      .parse(readRepoYaml("grafana/provisioning/dashboards/memsnap.yml"));
    expect(providers.map((provider) => repoPathInside(grafana, provider.options.path))).toEqual(["grafana/dashboards"]);

    const home = grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? "";
    expect(repoPathInside(grafana, home)).toBe("grafana/dashboards/memsnap.json");

    const { datasources } = z
      .object({ datasources: z.array(z.object({ url: z.string() })) })
      .parse(readRepoYaml("grafana/provisioning/datasources/memsnap.yml"));
    expect(datasources.map((source) => serviceOf(source.url)).filter((name) => !serviceNames.includes(name))).toEqual(
      [],
    );
  });
});

describe("Dockerfile", () => {
  it("copies from the build context only what .dockerignore lets in", () => {
    const allowed = readRepoText(".dockerignore")
      .split("\n")
      .filter((line) => line.startsWith("!"))
      .map((line) => line.slice(1));
    const sources = dockerfileInstructions("COPY")
      .filter((copy) => !copy.startsWith("--from="))
      .flatMap((copy) => copy.split(/\s+/).slice(0, -1));
    expect(sources.filter((source) => !allowed.includes(source) || !existsSync(repoPath(source)))).toEqual([]);
    expect(sources.length).toBeGreaterThan(0);
  });

  it("runs as a user other than root, with the health check of `memsnap healthcheck`, which reads the configuration serve reads", () => {
    expect(dockerfileInstructions("USER")).toEqual(["node"]);
    const entrypoint = JSON.parse(dockerfileInstructions("ENTRYPOINT")[0]) as string[];
    const check = JSON.parse(/CMD (\[.*\])/.exec(dockerfileInstructions("HEALTHCHECK").join())![1]) as string[];
    expect(check).toEqual([...entrypoint, "healthcheck"]);
  });

  it("is based on a Node LTS line the test suite runs on, and the package declares it", () => {
    const image = /^NODE_IMAGE=node:(\d+)-/.exec(
      dockerfileInstructions("ARG").find((arg) => arg.startsWith("NODE_IMAGE="))!,
    )![1];
    expect(["22", "24"]).toContain(image);
    const pkg = JSON.parse(readRepoText("package.json")) as { engines: { node: string } };
    expect(pkg.engines.node).toContain(`^${image}.`);
    expect(readRepoText(".ci/run")).toContain(`node@${image}.`);
  });

  it("labels the image with its version and revision from build arguments, the version defaulting to package.json's", () => {
    const args = Object.fromEntries(dockerfileInstructions("ARG").map((arg) => arg.split("=") as [string, string]));
    const pkg = JSON.parse(readRepoText("package.json")) as { version: string };
    expect(args.VERSION).toBe(pkg.version);
    expect(args.REVISION).toBeDefined();
    const labels = dockerfileInstructions("LABEL").join(" ");
    expect(labels).toContain('org.opencontainers.image.version="${VERSION}"');
    expect(labels).toContain('org.opencontainers.image.revision="${REVISION}"');
  });
});

describe("docker-compose.yml's memsnap", () => {
  it("runs on a read-only root file system, without capabilities, never gaining privileges", () => {
    const memsnap = service("memsnap");
    expect(memsnap.read_only).toBe(true);
    expect(memsnap.cap_drop).toEqual(["ALL"]);
    expect(memsnap.security_opt).toContain("no-new-privileges:true");
    expect(mounts(memsnap).map((m) => m.target)).toContain("/var/lib/memsnap");
  });
});
