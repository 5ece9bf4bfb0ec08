import { existsSync } from "node:fs";
import path from "node:path";

function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json in ${from} or above it`);
    dir = parent;
  }
  return dir;
}

/**
 * The folder of memsnap's package.json, found upwards from this module: the same whether it runs
 * from src/ (tests), dist/ (the build) or dist-bench/src/ (the benchmark's build).
 */
export const PACKAGE_ROOT = findPackageRoot(__dirname);
