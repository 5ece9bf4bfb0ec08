/**
 * What the memory attribution costs (issue 10): the amortised CPU of one sample of the demo at the
 * default cadence (a smaps walk every 60 s, a sample every 15 s), and one walk of /proc/<pid>/smaps
 * of a process holding 400 MB and 2 GB.
 * `npm run bench` includes it; `npm run bench:attribution` runs only it.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import { readSmaps } from "../src/sources/smaps";
import { ProcessStack, residentBytes } from "./processes";
import { runSampleLoop } from "./sample-loop";
import { median } from "./timing";

const MIB = 1024 * 1024;
const DEFAULT_SCHEDULE_SECONDS = 15;
const DEFAULT_SMAPS_INTERVAL_SECONDS = 60;
/** A walk on every sample, and a walk only at the first. */
const WALK_EVERY_SAMPLE = "0.001";
const WALK_ONCE = "86400";
const WALKS_PER_SIZE = 10;
const HELD_SIZES_MB = [400, 2048];

export interface AttributionBench {
  demoResidentBytes: number;
  offCpuMs: number;
  carriedCpuMs: number;
  walkingCpuMs: number;
  amortisedCpuMs: number;
  walks: Array<{ heldMb: number; residentBytes: number; mappings: number; wallMs: number; cpuMs: number }>;
}

/** A Node process holding `mb` MB of touched anonymous memory until it is stopped. */
async function holdMemory(mb: number): Promise<{ pid: number; stop(): Promise<void> }> {
  const script = `const held = Buffer.alloc(${mb} * 1024 * 1024, 1); process.stdout.write("ready\\n"); setInterval(() => held.length, 1 << 30);`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = once(child, "exit");
  await once(child.stdout, "data");
  return {
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

async function timeWalks(pid: number): Promise<{ wallMs: number; cpuMs: number; mappings: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let mappings = 0;
  for (let i = 0; i < WALKS_PER_SIZE; i++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    mappings = (await readSmaps(pid)).mappings.length;
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu), mappings };
}

export async function benchAttribution(
  env: Record<string, string>,
  costSamples: number,
  progress: (message: string) => void,
): Promise<AttributionBench> {
  progress(
    `attribution: ${costSamples} samples of the demo with smaps off, carried between walks, and walked every time`,
  );
  const off = await runSampleLoop({ ...env, MEMSNAP_SMAPS_INTERVAL: "0" }, costSamples, 0);
  const carried = await runSampleLoop({ ...env, MEMSNAP_SMAPS_INTERVAL: WALK_ONCE }, costSamples, 0);
  const walking = await runSampleLoop({ ...env, MEMSNAP_SMAPS_INTERVAL: WALK_EVERY_SAMPLE }, costSamples, 0);
  const walkShare = DEFAULT_SCHEDULE_SECONDS / DEFAULT_SMAPS_INTERVAL_SECONDS;
  const walks: AttributionBench["walks"] = [];
  const stack = new ProcessStack();
  try {
    for (const heldMb of HELD_SIZES_MB) {
      progress(`attribution: ${WALKS_PER_SIZE} walks of a process holding ${heldMb} MB`);
      const held = await stack.start(holdMemory(heldMb));
      walks.push({ heldMb, residentBytes: residentBytes(held.pid), ...(await timeWalks(held.pid)) });
    }
  } finally {
    await stack.stopAll();
  }
  return {
    demoResidentBytes: carried.targetResidentBytes,
    offCpuMs: off.sampleCpuMs,
    carriedCpuMs: carried.sampleCpuMs,
    walkingCpuMs: walking.sampleCpuMs,
    amortisedCpuMs: carried.sampleCpuMs * (1 - walkShare) + walking.sampleCpuMs * walkShare,
    walks,
  };
}

const ms = (value: number) => value.toFixed(2);
const mb = (bytes: number) => (bytes / MIB).toFixed(1);
const row = (cells: Array<string | number>) => `| ${cells.join(" | ")} |`;

export function attributionTables(b: AttributionBench): string {
  return [
    `### Memory attribution: CPU of one sample of the demo (target RSS ${mb(b.demoResidentBytes)} MB), median`,
    "",
    row(["smaps", "CPU ms per sample"]),
    row(["---", "---"]),
    row(["off (MEMSNAP_SMAPS_INTERVAL=0)", ms(b.offCpuMs)]),
    row(["carried by /proc/<pid>/status between walks", ms(b.carriedCpuMs)]),
    row(["walked on every sample", ms(b.walkingCpuMs)]),
    row([
      `**amortised at the defaults** (a walk every ${DEFAULT_SMAPS_INTERVAL_SECONDS} s, a sample every ${DEFAULT_SCHEDULE_SECONDS} s)`,
      `**${ms(b.amortisedCpuMs)}**`,
    ]),
    "",
    "### One walk of /proc/<pid>/smaps (read, parsed, threads' stack pointers), median of 10",
    "",
    row(["target holds", "target RSS MB", "mappings", "wall ms", "CPU ms (kernel page walk included)"]),
    row(["---", "---", "---", "---", "---"]),
    ...b.walks.map((w) => row([`${w.heldMb} MB`, mb(w.residentBytes), w.mappings, ms(w.wallMs), ms(w.cpuMs)])),
    "",
  ].join("\n");
}
