import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { FileExistsError, UnsafePathError, writeInside } from "../src/output/safe-write";
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

describe("writeInside", () => {
  it("writes the text to a new file inside the output folder and says where and how much", async () => {
    const { out } = layout();
    const written = await writeInside(out, "a/b/report.json", "{\"é\":1}", false);
    expect(written).toEqual({ path: path.join(out, "a", "b", "report.json"), bytes: 8 });
    expect(readFileSync(written.path, "utf8")).toBe("{\"é\":1}");
    expect(lstatSync(written.path).mode & 0o777).toBe(0o644);
    expect(tree(out)).toEqual(["a", path.join("a", "b"), path.join("a", "b", "report.json")]);
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

  it("refuses to replace an existing file unless told to overwrite, and then replaces it", async () => {
    const { out } = layout();
    await writeInside(out, "again.json", "first", false);
    const refused = writeInside(out, "again.json", "second", false);
    await expect(refused).rejects.toThrow(FileExistsError);
    await expect(refused).rejects.toMatchObject({ relativePath: "again.json" });
    expect(readFileSync(path.join(out, "again.json"), "utf8")).toBe("first");
    await writeInside(out, "again.json", "third", true);
    expect(readFileSync(path.join(out, "again.json"), "utf8")).toBe("third");
    expect(tree(out)).toEqual(["again.json"]);
  });

  it("writes through a folder symlinked inside the output folder", async () => {
    const { out } = layout();
    mkdirSync(path.join(out, "real"));
    symlinkSync(path.join(out, "real"), path.join(out, "alias"));
    await writeInside(out, "alias/x.json", "{}", false);
    expect(readFileSync(path.join(out, "real", "x.json"), "utf8")).toBe("{}");
  });

  it.each([
    ["an empty name", "", "empty_path"],
    ["a NUL byte", "x\u0000.json", "nul_byte"],
    ["an absolute path", "/tmp/x.json", "absolute_path"],
    ["a Windows absolute path", "C:\\x.json", "absolute_path"],
    ["a climb with ..", "../x.json", "path_traversal"],
    ["a .. in the middle", "a/../../x.json", "path_traversal"],
    ["a Windows-style climb", "..\\x.json", "path_traversal"],
    ["an empty segment", "a//x.json", "bad_path"],
    ["a trailing slash", "x.json/", "bad_path"],
    ["a '.' segment", "./x.json", "bad_path"],
    ["a name that is not .json", "report.txt", "not_json"],
    ["a bare .json", ".json", "not_json"],
    ["a bare .json in a folder", "a/.json", "not_json"],
    ["a .json folder", "x.json/y", "not_json"],
  ])("refuses %s and writes nothing", async (_what, name, code) => {
    const { out } = layout();
    const refused = writeInside(out, name, "{}", true);
    await expect(refused).rejects.toThrow(UnsafePathError);
    await expect(refused).rejects.toMatchObject({ code, name: "UnsafePathError" });
    expect(tree(out)).toEqual([]);
  });

  it.each([
    ["a folder symlinked outside", "escape/x.json", "symlink_escape"],
    ["a new folder under a folder symlinked outside", "escape/new/x.json", "symlink_escape"],
    ["a file symlinked outside", "link.json", "symlink_escape"],
    ["a dangling file symlink", "dangling.json", "symlink_escape"],
    ["a folder in place of the file", "folder.json", "not_a_file"],
  ])("refuses %s and changes nothing, inside or out", async (_what, name, code) => {
    const { out, outside } = layout();
    symlinkSync(outside, path.join(out, "escape"));
    symlinkSync(path.join(outside, "victim.json"), path.join(out, "link.json"));
    symlinkSync(path.join(outside, "missing.json"), path.join(out, "dangling.json"));
    mkdirSync(path.join(out, "folder.json"));
    const before = tree(out);
    await expect(writeInside(out, name, "{}", true)).rejects.toMatchObject({ code });
    expect(tree(out)).toEqual(before);
    expect(tree(outside)).toEqual(["victim.json"]);
    expect(readFileSync(path.join(outside, "victim.json"), "utf8")).toBe("untouched");
  });

  it("refuses an output folder that is itself a file", async () => {
    const { out } = layout();
    writeFileSync(path.join(out, "plain"), "");
    await expect(writeInside(path.join(out, "plain"), "x.json", "{}", false)).rejects.toThrow();
    expect(tree(out)).toEqual(["plain"]);
  });
});
