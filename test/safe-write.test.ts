import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { FileExistsError, FolderWriteError, UnsafePathError, writeInside } from "../src/output/safe-write";
import { scratchDir } from "./helpers/scratch";

const scratch = scratchDir("safe-write");
let folderNumber = 0;

/** A fresh output folder inside the scratch folder, and a folder outside it holding a victim file. */
function layout(): { out: string; outside: string } {
  folderNumber += 1;
  const out = path.join(scratch, `out-${folderNumber}`);
  const outside = path.join(scratch, `outside-${folderNumber}`);
  mkdirSync(out);
  mkdirSync(outside);
  writeFileSync(path.join(outside, "victim.json"), "untouched");
  return { out, outside };
}

/** Every file and folder under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

function expectOutsideUntouched(outside: string): void {
  expect(tree(outside)).toEqual(["victim.json"]);
  expect(readFileSync(path.join(outside, "victim.json"), "utf8")).toBe("untouched");
}

describe("writeInside", () => {
  it("writes the text to a new file directly in the output folder and says where (its real path) and how much", async () => {
    const { out } = layout();
    const written = await writeInside(out, "report.json", '{"é":1}', false);
    expect(written).toEqual({ path: path.join(realpathSync(out), "report.json"), bytes: 8 });
    expect(readFileSync(written.path, "utf8")).toBe('{"é":1}');
    expect(lstatSync(written.path).mode & 0o777).toBe(0o644);
    expect(tree(out)).toEqual(["report.json"]);
  });

  it("creates a missing output folder", async () => {
    const out = path.join(scratch, "created", "deeper");
    await writeInside(out, "x.json", "{}", false);
    expect(tree(out)).toEqual(["x.json"]);
  });

  it("accepts an upper-case .JSON extension", async () => {
    const { out } = layout();
    await writeInside(out, "X.JSON", "{}", false);
    expect(tree(out)).toEqual(["X.JSON"]);
  });

  it("refuses to replace an existing file unless told to overwrite, then replaces it, leaving no temporary file", async () => {
    const { out } = layout();
    await writeInside(out, "again.json", "first", false);
    const refused = writeInside(out, "again.json", "second", false);
    await expect(refused).rejects.toThrow(FileExistsError);
    await expect(refused).rejects.toMatchObject({
      name: "FileExistsError",
      fileName: "again.json",
      message: 'again.json already exists in the output folder; send "overwrite": true to replace it',
    });
    expect(readFileSync(path.join(out, "again.json"), "utf8")).toBe("first");
    expect(tree(out)).toEqual(["again.json"]);
    await writeInside(out, "again.json", "third", true);
    expect(readFileSync(path.join(out, "again.json"), "utf8")).toBe("third");
    expect(tree(out)).toEqual(["again.json"]);
  });

  it("writes into the real folder an output folder's link names when first used", async () => {
    const { out, outside } = layout();
    const alias = path.join(scratch, `alias-${folderNumber}`);
    symlinkSync(outside, alias);
    const written = await writeInside(alias, "x.json", "{}", false);
    expect(written.path).toBe(path.join(realpathSync(outside), "x.json"));
    expect(tree(outside)).toEqual(["victim.json", "x.json"]);
    expect(tree(out)).toEqual([]);
  });

  it.each([
    ["an empty name", "", "empty_path", "file_path is empty"],
    ["a NUL byte", "x\u0000.json", "nul_byte", "contains a NUL byte"],
    ["an absolute path", "/tmp/x.json", "absolute_path", "a file name in the output folder, not an absolute path"],
    ["a Windows absolute path", "C:\\x.json", "absolute_path", "not an absolute path"],
    ["a climb with ..", "../x.json", "path_traversal", "must not contain '..'"],
    ["a .. in the middle", "a/../../x.json", "path_traversal", "files stay inside the output folder"],
    ["a Windows-style climb", "..\\x.json", "path_traversal", "must not contain '..'"],
    ["a subfolder", "a/x.json", "subfolder", 'a plain file name such as "daily-2024-05-01.json"'],
    ["a Windows-style subfolder", "a\\x.json", "subfolder", "never into subfolders"],
    ["an empty segment", "a//x.json", "subfolder", "never into subfolders"],
    ["a trailing slash", "x.json/", "subfolder", "never into subfolders"],
    ["a '.' segment", "./x.json", "subfolder", "never into subfolders"],
    ["a .json folder", "x.json/y", "subfolder", "never into subfolders"],
    ["a hidden name", ".hidden.json", "hidden_name", "must not start with '.'"],
    ["a bare .json", ".json", "hidden_name", "must not start with '.'"],
    ["a lone dot", ".", "hidden_name", "must not start with '.'"],
    ["a name that is not .json", "report.txt", "not_json", "must name a .json file"],
    ["a name that only contains .json", "x.json.txt", "not_json", "must name a .json file"],
    ["a name over 200 bytes", `${"é".repeat(98)}.json`, "name_too_long", "is 201 bytes long; keep it to 200 bytes"],
  ])("refuses %s, saying why, and writes nothing", async (_what, name, code, why) => {
    const { out } = layout();
    const refused = writeInside(out, name, "{}", true);
    await expect(refused).rejects.toThrow(UnsafePathError);
    await expect(refused).rejects.toMatchObject({
      code,
      name: "UnsafePathError",
      message: expect.stringContaining(why),
    });
    expect(tree(out)).toEqual([]);
  });

  it("accepts a name of exactly 200 bytes", async () => {
    const { out } = layout();
    const name = `${"é".repeat(97)}${"x".repeat(1)}.json`;
    expect(Buffer.byteLength(name)).toBe(200);
    await writeInside(out, name, "{}", false);
    expect(tree(out)).toEqual([name]);
  });

  it.each([
    ["a file symlinked outside", "link.json"],
    ["a dangling file symlink", "dangling.json"],
  ])("refuses to write over %s without overwrite, changing nothing, inside or out", async (_what, name) => {
    const { out, outside } = layout();
    symlinkSync(path.join(outside, "victim.json"), path.join(out, "link.json"));
    symlinkSync(path.join(outside, "missing.json"), path.join(out, "dangling.json"));
    await expect(writeInside(out, name, "{}", false)).rejects.toMatchObject({ fileName: name });
    expect(tree(out)).toEqual(["dangling.json", "link.json"]);
    expect(lstatSync(path.join(out, name)).isSymbolicLink()).toBe(true);
    expectOutsideUntouched(outside);
  });

  it.each([
    ["a file symlinked outside", "link.json"],
    ["a dangling file symlink", "dangling.json"],
  ])("with overwrite, replaces %s by a file instead of following it", async (_what, name) => {
    const { out, outside } = layout();
    symlinkSync(path.join(outside, "victim.json"), path.join(out, "link.json"));
    symlinkSync(path.join(outside, "missing.json"), path.join(out, "dangling.json"));
    await writeInside(out, name, '{"new":1}', true);
    expect(lstatSync(path.join(out, name)).isFile()).toBe(true);
    expect(readFileSync(path.join(out, name), "utf8")).toBe('{"new":1}');
    expect(tree(out)).toEqual(["dangling.json", "link.json"]);
    expectOutsideUntouched(outside);
  });

  it("refuses a folder in place of the file as not_a_file and leaves no temporary file", async () => {
    const { out } = layout();
    mkdirSync(path.join(out, "folder.json"));
    const refused = writeInside(out, "folder.json", "{}", true);
    await expect(refused).rejects.toThrow(FolderWriteError);
    await expect(refused).rejects.toMatchObject({
      name: "FolderWriteError",
      kind: "conflict",
      code: "not_a_file",
      message: "file_path names a folder, not a file",
    });
    expect(tree(out)).toEqual(["folder.json"]);
  });

  it("refuses an output folder that is itself a file as not_a_folder", async () => {
    const { out } = layout();
    writeFileSync(path.join(out, "plain"), "");
    const refused = writeInside(path.join(out, "plain"), "x.json", "{}", false);
    await expect(refused).rejects.toThrow(FolderWriteError);
    await expect(refused).rejects.toMatchObject({
      name: "FolderWriteError",
      kind: "conflict",
      code: "not_a_folder",
      message: `${path.join(out, "plain")} is not a folder; remove what is there or point the folder elsewhere`,
    });
    expect(tree(out)).toEqual(["plain"]);
  });

  it("refuses, once it has written there, an output folder later replaced by a link, writing nothing through it", async () => {
    const { out, outside } = layout();
    await writeInside(out, "first.json", "{}", false);
    renameSync(out, `${out}-moved`);
    symlinkSync(outside, out);
    const refused = writeInside(out, "second.json", "{}", true);
    await expect(refused).rejects.toThrow(FolderWriteError);
    // Linux answers O_DIRECTORY|O_NOFOLLOW on a link with ENOTDIR, so the refusal reads not_a_folder.
    await expect(refused).rejects.toMatchObject({ kind: "conflict", code: "not_a_folder" });
    expectOutsideUntouched(outside);
    expect(tree(`${out}-moved`)).toEqual(["first.json"]);
  });

  it("creates the output folder and its parents again when they were removed between writes", async () => {
    const { out } = layout();
    const folder = path.join(out, "a", "b");
    await writeInside(folder, "first.json", "{}", false);
    rmSync(path.join(out, "a"), { recursive: true });
    await writeInside(folder, "second.json", "{}", false);
    expect(tree(out)).toEqual(["a", path.join("a", "b"), path.join("a", "b", "second.json")]);
  });

  it("refuses an output folder whose path loops through a symbolic link as folder_replaced, naming it", async () => {
    const { out } = layout();
    symlinkSync("loop", path.join(out, "loop"));
    const folder = path.join(out, "loop", "exports");
    const refused = writeInside(folder, "x.json", "{}", false);
    await expect(refused).rejects.toMatchObject({
      kind: "conflict",
      code: "folder_replaced",
      message: `${folder} was replaced by a symbolic link; memsnap does not write through links`,
    });
    expect(tree(out)).toEqual(["loop"]);
  });

  it("closes every file it opens, whether the write succeeds or is refused", async () => {
    const { out } = layout();
    const openFiles = () => readdirSync("/proc/self/fd").length;
    const before = openFiles();
    await writeInside(out, "x.json", "{}", false);
    await writeInside(out, "x.json", "{}", true);
    await expect(writeInside(out, "x.json", "{}", false)).rejects.toThrow(FileExistsError);
    expect(openFiles()).toBe(before);
  });

  it("creates the output folder again when it was removed between writes", async () => {
    const { out } = layout();
    await writeInside(out, "first.json", "{}", false);
    renameSync(out, `${out}-moved`);
    await writeInside(out, "second.json", "{}", false);
    expect(tree(out)).toEqual(["second.json"]);
  });
});
