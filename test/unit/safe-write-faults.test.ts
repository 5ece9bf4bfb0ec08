import { execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FolderWriteError, writeInside } from "../../src/output/safe-write";
import { mountTmpfs } from "../helpers/tmpfs";

/**
 * Real file-system failures on small tmpfs disks (mounted as root, as test/export-faults does),
 * each reported as the folder's problem in words that name the folder and say what to do.
 * EACCES and EDQUOT cannot be produced as root (root passes permission bits and quotas).
 */
describe("writeInside on a disk that refuses the write", () => {
  const mounted: Array<() => void> = [];
  afterAll(() => mounted.forEach((unmount) => unmount()));

  function disk(purpose: string, options: string[] = []): string {
    const { dir, unmount } = mountTmpfs(purpose, 64 * 1024, options);
    mounted.push(unmount);
    return dir;
  }

  it("reports a full disk as disk_full, saying to free space there, and leaves no temporary file", async () => {
    const dir = disk("full");
    writeFileSync(path.join(dir, "filler"), Buffer.alloc(60 * 1024));
    const write = writeInside(dir, "report.json", "x".repeat(32 * 1024), true);
    await expect(write).rejects.toThrow(FolderWriteError);
    await expect(write).rejects.toMatchObject({
      kind: "disk_full",
      code: "disk_full",
      message: `the disk holding ${dir} is full; free space there or point the folder elsewhere`,
    });
    expect(readdirSync(dir)).toEqual(["filler"]);
  });

  it("reports a disk out of inodes for the final name as disk_full, not as an existing file", async () => {
    // Two inodes: the root folder and the temporary file; the link to the final name needs a third.
    const dir = disk("inodes", ["nr_inodes=2"]);
    const write = writeInside(dir, "report.json", "{}", false);
    await expect(write).rejects.toMatchObject({ kind: "disk_full", code: "disk_full" });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reports a read-only disk as folder_not_writable, naming the folder and the cause", async () => {
    const dir = disk("readonly", ["ro"]);
    const write = writeInside(dir, "report.json", "{}", false);
    await expect(write).rejects.toMatchObject({
      kind: "not_writable",
      code: "folder_not_writable",
      message: `memsnap cannot write in ${dir} (EROFS); make it writable by the user memsnap runs as, or point the folder at a writable one`,
    });
  });

  it("reports an immutable folder (EPERM even for root) as folder_not_writable", async () => {
    const dir = disk("immutable");
    execFileSync("chattr", ["+i", dir]);
    try {
      const write = writeInside(dir, "report.json", "{}", false);
      await expect(write).rejects.toMatchObject({
        kind: "not_writable",
        code: "folder_not_writable",
        message: expect.stringContaining(`memsnap cannot write in ${dir} (EPERM)`),
      });
    } finally {
      execFileSync("chattr", ["-i", dir]);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});
