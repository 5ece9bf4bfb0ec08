import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { DEMO_COLLECTION_SPECS, v8ArraySlotsBytes, v8StringBytes, type DemoCollectionSpec } from "../src/demo/store";

const run = promisify(execFile);
const STORE_MODULE = path.join(__dirname, "../dist/demo/store.js");

/**
 * Builds one demo collection in a fresh Node and reports what V8 itself counts for it: the used
 * size of its heap spaces plus external memory (the typed arrays' buffers), after a forced GC
 * before and after. A first build of the same collection (at `warmScale`) is thrown away, so the
 * functions are compiled and optimised before the measured one, and its own figure per vector sets
 * the measured build's scale, so that it claims at least `measuredBytes`; code spaces are left out
 * (compiled code is V8's, not the collection's), and bytecode is not flushed in between.
 */
const MEASURE = `
const v8 = require("node:v8");
const { buildDemoCollection, DEMO_COLLECTION_SPECS } = require(${JSON.stringify(STORE_MODULE)});
const counted = () => {
  gc(); gc();
  const spaces = v8.getHeapSpaceStatistics().filter((s) => !s.space_name.startsWith("code"));
  return spaces.reduce((sum, s) => sum + s.space_used_size, 0) + process.memoryUsage().external;
};
const spec = DEMO_COLLECTION_SPECS.find((s) => s.name === process.argv[1]);
const warmScale = Number(process.argv[2]);
const measuredBytes = Number(process.argv[3]);
const warmBytes = buildDemoCollection(spec, { scale: warmScale }).bytes.totalBytes;
const scale = Math.max(warmScale, (warmScale * measuredBytes) / warmBytes);
const before = counted();
const collection = buildDemoCollection(spec, { scale });
process.stdout.write(JSON.stringify({ claimed: collection.bytes.totalBytes, v8: counted() - before }));
`;

/** Vectors of the thrown-away first build, which warms the functions up and sizes one vector. */
const WARM_VECTORS = 50_000;

/**
 * V8's heap moves by a few hundred KB between two GCs for reasons of its own (up to 1.9 % of the
 * 28 MB that 50 000 products vectors claim, under load); each measured collection claims at least
 * this many bytes, so that noise stays well under the 2 % compared.
 */
const MEASURED_BYTES = 100 * 1024 * 1024;

async function measure(spec: DemoCollectionSpec): Promise<{ claimed: number; v8: number }> {
  const warmScale = Math.max(1, WARM_VECTORS / spec.baseVectorCount);
  const args = [
    "--expose-gc",
    "--no-flush-bytecode",
    "-e",
    MEASURE,
    spec.name,
    String(warmScale),
    String(MEASURED_BYTES),
  ];
  const { stdout } = await run(process.execPath, args);
  return JSON.parse(stdout) as { claimed: number; v8: number };
}

describe("the demo store's own figures", () => {
  it.each([
    ["", 16],
    ["a", 24],
    ["12345678", 24],
    ["123456789", 32],
    ["é", 24],
    ["€", 24],
    ["€€€€€", 32],
  ])("sizes the string %j as V8 lays it out: %p bytes", (text, bytes) => {
    expect(v8StringBytes(text)).toBe(bytes);
  });

  it("sizes an array of strings as its header and one slot per string, an empty one as nothing", () => {
    expect(v8ArraySlotsBytes(0)).toBe(0);
    expect(v8ArraySlotsBytes(1)).toBe(24);
    expect(v8ArraySlotsBytes(1000)).toBe(8016);
  });

  it.each(DEMO_COLLECTION_SPECS.filter((s) => s.baseVectorCount > 0).map((s) => [s.name, s] as const))(
    "count %s within 2 % of what V8 holds for it (its heap and external memory, measured after a GC)",
    async (_name, spec) => {
      const { claimed, v8 } = await measure(spec);
      expect(claimed).toBeGreaterThanOrEqual(MEASURED_BYTES * 0.99);
      expect(Math.abs(claimed - v8) / v8).toBeLessThan(0.02);
    },
    60_000,
  );
});
