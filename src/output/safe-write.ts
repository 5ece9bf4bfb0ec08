import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

/** Why a file name was refused; `code` is stable for clients. */
export class UnsafePathError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "UnsafePathError";
  }
}

export class FileExistsError extends Error {
  constructor(readonly relativePath: string) {
    super(`${relativePath} already exists in the output folder; send "overwrite": true to replace it`);
    this.name = "FileExistsError";
  }
}

/**
 * Checks a client-supplied name without touching the disk: a relative path of plain
 * segments ending in .json. Returns the normalised relative path.
 */
function checkRelativeJsonName(name: string): string {
  if (name.length === 0) throw new UnsafePathError("empty_path", "file_path is empty");
  if (name.includes("\0")) throw new UnsafePathError("nul_byte", "file_path contains a NUL byte");
  if (path.isAbsolute(name) || path.win32.isAbsolute(name)) {
    throw new UnsafePathError("absolute_path", "file_path must be relative to the output folder, not absolute");
  }
  const segments = name.split(/[\\/]/);
  if (segments.includes("..")) {
    throw new UnsafePathError("path_traversal", "file_path must not contain '..': files stay inside the output folder");
  }
  if (segments.some((s) => s === "" || s === ".")) {
    throw new UnsafePathError("bad_path", "file_path has an empty or '.' segment");
  }
  if (!name.toLowerCase().endsWith(".json") || path.basename(name).length <= ".json".length) {
    throw new UnsafePathError("not_json", "file_path must name a .json file");
  }
  return segments.join(path.sep);
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await fs.realpath(p);
  } catch {
    return null;
  }
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** The deepest existing ancestor of `dir` must resolve (symlinks followed) inside `root`. */
async function checkStaysInside(root: string, dir: string): Promise<void> {
  let probe = dir;
  let real = await realpathOrNull(probe);
  while (real === null && isInside(root, path.dirname(probe)) && probe !== root) {
    probe = path.dirname(probe);
    real = await realpathOrNull(probe);
  }
  const realRoot = await fs.realpath(root);
  if (real === null || !isInside(realRoot, real)) {
    throw new UnsafePathError("symlink_escape", "file_path leads out of the output folder through a symbolic link");
  }
}

async function checkTargetFile(file: string, relative: string, overwrite: boolean): Promise<void> {
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) {
    throw new UnsafePathError("symlink_escape", "file_path names a symbolic link; memsnap does not write through links");
  }
  if (!stat.isFile()) throw new UnsafePathError("not_a_file", "file_path names something that is not a regular file");
  if (!overwrite) throw new FileExistsError(relative);
}

export interface WrittenFile {
  path: string;
  bytes: number;
}

/**
 * Writes `text` to `relativeName` inside `outputDir` (created if missing), atomically:
 * a temporary file in the same folder, then a link (refusing an existing file) or a
 * rename (replacing it). Nothing is written when any check fails.
 */
export async function writeInside(outputDir: string, relativeName: string, text: string, overwrite: boolean): Promise<WrittenFile> {
  const relative = checkRelativeJsonName(relativeName);
  const root = path.resolve(outputDir);
  await fs.mkdir(root, { recursive: true });
  const file = path.join(root, relative);
  await checkStaysInside(root, path.dirname(file));
  await checkTargetFile(file, relative, overwrite);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await fs.writeFile(temp, text, { flag: "wx", mode: 0o644 });
    if (overwrite) await fs.rename(temp, file);
    else await linkRefusingExisting(temp, file, relative);
  } finally {
    await fs.rm(temp, { force: true });
  }
  return { path: file, bytes: Buffer.byteLength(text) };
}

async function linkRefusingExisting(temp: string, file: string, relative: string): Promise<void> {
  try {
    await fs.link(temp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new FileExistsError(relative);
    throw err;
  }
}
