import {
  hasLargeCollection,
  largeUnquantizedCollections,
  memoryPressure,
  pressureRatio,
} from "../../src/snapshot/assessment";
import { collectionOf, MB } from "../helpers/samples";

const GB = 1024 * MB;

describe("the memory limit that matters", () => {
  const host = (totalGb: number, usedGb: number) => ({ totalBytes: totalGb * GB, usedBytes: usedGb * GB });
  const cgroup = (limitGb: number, usageGb: number) => ({ limitBytes: limitGb * GB, usageBytes: usageGb * GB });

  it("is the one with less room left, not the smaller one", () => {
    // Host: 1 GB left of 16; cgroup: 3 GB left of 4.
    expect(memoryPressure(host(16, 15), cgroup(4, 1))).toEqual({
      scope: "host",
      usedBytes: 15 * GB,
      limitBytes: 16 * GB,
    });
    // Host: 8 GB left; cgroup: 1 GB left.
    expect(memoryPressure(host(16, 8), cgroup(4, 3))?.scope).toBe("cgroup");
  });

  it("is the cgroup limit when both have the same room left", () => {
    expect(memoryPressure(host(16, 14), cgroup(4, 2))?.scope).toBe("cgroup");
  });

  it("is 0 % used against a limit of 0, not a division by it", () => {
    expect(pressureRatio({ scope: "host", usedBytes: 0, limitBytes: 0 })).toBe(0);
    expect(pressureRatio({ scope: "host", usedBytes: GB, limitBytes: 4 * GB })).toBe(0.25);
  });
});

describe("large collections", () => {
  const exactly = collectionOf("exactly", 100_000);
  const over = collectionOf("over", 100_001);
  const quantized = collectionOf("quantized", 500_000, { quantization: "sq8" });

  it("are those over 100 000 vectors; the unoptimized ones, those of them without quantization", () => {
    expect(largeUnquantizedCollections([exactly, over, quantized]).map((c) => c.name)).toEqual(["over"]);
    expect(hasLargeCollection([exactly])).toBe(false);
    expect(hasLargeCollection([exactly, over])).toBe(true);
    expect(hasLargeCollection([exactly, quantized])).toBe(true);
  });
});
