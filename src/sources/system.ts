import { readFileSync } from "node:fs";
import { parseKibLines } from "./process";
import type { SystemMemory } from "./types";

/** /proc/meminfo, or null where it is missing or too old to hold MemAvailable (Linux < 3.14). */
function readMeminfo(): SystemMemory | null {
  let fields: Map<string, number>;
  try {
    fields = parseKibLines(readFileSync("/proc/meminfo", "utf8"));
  } catch {
    return null;
  }
  const [total, available, swapTotal, swapFree] = ["MemTotal", "MemAvailable", "SwapTotal", "SwapFree"].map((key) =>
    fields.get(key),
  );
  if (total === undefined || available === undefined || swapTotal === undefined || swapFree === undefined) return null;
  return {
    totalBytes: total,
    availableBytes: available,
    usedBytes: total - available,
    swapTotalBytes: swapTotal,
    swapUsedBytes: swapTotal - swapFree,
  };
}

/**
 * Host memory; "available" is the kernel's MemAvailable, so used = total − available. On Linux
 * /proc/meminfo is read synchronously (a tiny file: through the thread pool each step would wait
 * behind a busy event loop); elsewhere systeminformation reads what the platform offers, loaded
 * only there (it adds 10 MB to memsnap's RSS).
 */
export async function readSystemMemory(): Promise<SystemMemory> {
  const meminfo = process.platform === "linux" ? readMeminfo() : null;
  if (meminfo !== null) return meminfo;
  const si = require("systeminformation") as typeof import("systeminformation");
  const mem = await si.mem();
  return {
    totalBytes: mem.total,
    availableBytes: mem.available,
    usedBytes: mem.total - mem.available,
    swapTotalBytes: mem.swaptotal,
    swapUsedBytes: mem.swapused,
  };
}
