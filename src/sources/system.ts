import si from "systeminformation";
import type { SystemMemory } from "./types";

/** Host memory; "available" is the kernel's MemAvailable, so used = total − available. */
export async function readSystemMemory(): Promise<SystemMemory> {
  const mem = await si.mem();
  return {
    totalBytes: mem.total,
    availableBytes: mem.available,
    usedBytes: mem.total - mem.available,
    swapTotalBytes: mem.swaptotal,
    swapUsedBytes: mem.swapused,
  };
}
