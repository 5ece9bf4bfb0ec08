import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const asRoot = (command: string, args: string[]) =>
  process.getuid?.() === 0 ? execFileSync(command, args) : execFileSync("sudo", ["-n", command, ...args]);

/**
 * A small tmpfs mounted (as root, or through sudo) on a fresh folder: a disk that fills up
 * for real. Returns the folder and how to unmount and remove it.
 */
export function mountTmpfs(
  purpose: string,
  sizeBytes: number,
  options: string[] = [],
): { dir: string; unmount: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `memsnap-${purpose}-`));
  asRoot("mount", ["-t", "tmpfs", "-o", [`size=${sizeBytes}`, ...options].join(","), "memsnap-faults-tmpfs", dir]);
  return {
    dir,
    unmount() {
      asRoot("umount", [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
