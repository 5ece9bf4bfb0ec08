import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Allocator } from "./helpers/allocator";
import { scratchDir } from "./helpers/scratch";
import {
  freshSnapshot,
  getJson,
  scrape,
  startTestDaemon,
  untilReady,
  waitFor,
  type TestDaemon,
} from "./helpers/daemon";

/** True once the kernel has finished a killed process: gone, or a zombie waiting to be reaped. */
function hasDied(pid: number): true | undefined {
  try {
    return /^State:\s+[ZX]/m.test(readFileSync(`/proc/${pid}/status`, "utf8")) ? true : undefined;
  } catch {
    return true;
  }
}

const collectionSeries = (metrics: Map<string, number>, target: string) =>
  [...metrics.keys()].filter(
    (key) => key.startsWith("memsnap_collection_") && key.includes(`target="${target}",collection=`),
  );

describe("one daemon watching three targets: two demo stores and a plain process", () => {
  let plain: Allocator;
  const configDir = scratchDir("targets");
  let daemon: TestDaemon;

  beforeAll(async () => {
    plain = await Allocator.start();
    const file = path.join(configDir, "memsnap.yaml");
    writeFileSync(
      file,
      [
        "targets:",
        "  - {name: demo-a, kind: demo, scale: 0.02}",
        "  - {name: demo-b, kind: demo, scale: 0.02}",
        `  - {name: plain, kind: none, pid: ${plain.pid}}`,
        "",
      ].join("\n"),
    );
    daemon = await startTestDaemon({}, file);
    await untilReady(daemon);
  });

  afterAll(async () => {
    await daemon?.stop();
    await plain?.stop();
  });

  it("labels every per-target series with its target", async () => {
    const metrics = await scrape(daemon);
    for (const target of ["demo-a", "demo-b", "plain"]) {
      expect({ target, up: metrics.get(`memsnap_target_up{target="${target}"}`) }).toEqual({ target, up: 1 });
      expect(metrics.get(`memsnap_process_resident_bytes{target="${target}"}`)).toBeGreaterThan(0);
      expect(metrics.get(`memsnap_source_success{target="${target}",source="process"}`)).toBe(1);
    }
    for (const target of ["demo-a", "demo-b"]) {
      expect(metrics.get(`memsnap_collections{target="${target}"}`)).toBeGreaterThan(0);
      expect(metrics.get(`memsnap_collection_vectors{target="${target}",collection="docs-sq8"}`)).toBeGreaterThan(0);
      expect(metrics.get(`memsnap_source_success{target="${target}",source="demo"}`)).toBe(1);
    }
    expect(collectionSeries(metrics, "plain")).toEqual([]);
    expect(metrics.get('memsnap_collections{target="plain"}')).toBe(0);
  });

  it("serves each target's snapshot by ?target=, each demo its own process and port", async () => {
    const [a, b, p] = await Promise.all(
      ["demo-a", "demo-b", "plain"].map((name) => getJson(`${daemon.url}/api/v1/memory-snapshot?target=${name}`)),
    );
    expect(a.body.target).toMatchObject({ name: "demo-a", kind: "demo", up: true });
    expect(b.body.target).toMatchObject({ name: "demo-b", kind: "demo", up: true });
    expect(a.body.target.pid).not.toBe(b.body.target.pid);
    expect(new URL(a.body.target.url).port).not.toBe(new URL(b.body.target.url).port);
    expect(p.body.target).toMatchObject({ name: "plain", kind: "none", pid: plain.pid, url: null, up: true });
    expect(p.body.discrepancy_analysis.unaccounted_memory_bytes).toBe(p.body.process_info.physical_memory_bytes);
  });

  it("answers 404 naming the three targets for an unknown one", async () => {
    const { status, body } = await getJson(`${daemon.url}/api/v1/memory-snapshot?target=demo-c`);
    expect(status).toBe(404);
    expect(body).toMatchObject({ code: "unknown_target", details: { known_targets: ["demo-a", "demo-b", "plain"] } });
  });

  it("takes down one target's series when its database dies, leaving the others alone", async () => {
    const { body: before } = await getJson(`${daemon.url}/api/v1/memory-snapshot?target=demo-b`);
    process.kill(before.target.pid, "SIGKILL");
    await waitFor(() => hasDied(before.target.pid), "the killed demo store to die");
    const { body: after } = await freshSnapshot(daemon, "&target=demo-b");
    expect(after.target.up).toBe(false);
    expect(after.errors.map((e: { source: string }) => e.source)).toEqual(expect.arrayContaining(["process", "demo"]));
    const metrics = await scrape(daemon);
    expect(metrics.get('memsnap_target_up{target="demo-b"}')).toBe(0);
    expect(collectionSeries(metrics, "demo-b")).toEqual([]);
    for (const total of [
      "memsnap_collections",
      "memsnap_vectors",
      "memsnap_estimated_memory_bytes",
      "memsnap_actual_memory_bytes",
    ]) {
      expect({ total, value: metrics.get(`${total}{target="demo-b"}`) }).toEqual({ total, value: undefined });
    }
    expect(after.collections_info).toMatchObject({
      total_collections: null,
      total_vectors: null,
      actual_memory_bytes: null,
    });
    expect(metrics.get('memsnap_target_up{target="demo-a"}')).toBe(1);
    expect(collectionSeries(metrics, "demo-a").length).toBeGreaterThan(0);
  });
});
