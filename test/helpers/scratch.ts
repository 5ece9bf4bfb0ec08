import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * A temporary folder for the tests of the calling file or describe block, removed after them.
 * Call it where hooks may be declared (a file's top level or a describe body).
 */
export function scratchDir(purpose: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `memsnap-${purpose}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
