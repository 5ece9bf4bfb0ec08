import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
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
  constructor(readonly fileName: string) {
    super(`${fileName} already exists in the output folder; send "overwrite": true to replace it`);
    this.name = "FileExistsError";
  }
}

/**
 * The folder or the disk, not the name, stopped the write. `kind` says whose move it is:
 * `conflict` (something else is in the way), `disk_full`, or `not_writable` (the operator's).
 */
export class FolderWriteError extends Error {
  constructor(
    readonly kind: "conflict" | "disk_full" | "not_writable",
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "FolderWriteError";
  }
}

/** Room left under the file system's 255-byte name limit for the temporary name's prefix and suffix. */
const MAX_NAME_BYTES = 200;

/**
 * Checks a client-supplied name without touching the disk: a plain file name ending in
 * .json, directly in the folder (no subfolders: nothing to swap for a link on the way).
 */
function checkFlatJsonName(name: string): void {
  if (name.length === 0) throw new UnsafePathError("empty_path", "file_path is empty");
  if (name.includes("\0")) throw new UnsafePathError("nul_byte", "file_path contains a NUL byte");
  if (path.isAbsolute(name) || path.win32.isAbsolute(name)) {
    throw new UnsafePathError(
      "absolute_path",
      "file_path must be a file name in the output folder, not an absolute path",
    );
  }
  const segments = name.split(/[\\/]/);
  if (segments.includes("..")) {
    throw new UnsafePathError("path_traversal", "file_path must not contain '..': files stay inside the output folder");
  }
  if (segments.length > 1) {
    throw new UnsafePathError(
      "subfolder",
      'file_path must be a plain file name such as "daily-2024-05-01.json": memsnap writes only directly into the output folder, never into subfolders',
    );
  }
  if (name.startsWith(".")) throw new UnsafePathError("hidden_name", "file_path must not start with '.'");
  // A bare ".json" starts with "." and is refused above, so a name that passes here has a stem.
  if (!name.toLowerCase().endsWith(".json")) {
    throw new UnsafePathError("not_json", "file_path must name a .json file");
  }
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new UnsafePathError(
      "name_too_long",
      `file_path is ${Buffer.byteLength(name)} bytes long; keep it to ${MAX_NAME_BYTES} bytes`,
    );
  }
}

/** The real path of each folder, resolved once: a link swapped in later is refused, not followed. */
const realFolders = new Map<string, string>();

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** A file-system failure as the folder's problem, in words that say what to do. */
function folderProblem(err: unknown, folder: string): Error {
  switch (errnoOf(err)) {
    case "ENOSPC":
    case "EDQUOT":
      return new FolderWriteError(
        "disk_full",
        "disk_full",
        `the disk holding ${folder} is full; free space there or point the folder elsewhere`,
      );
    case "EROFS":
    case "EACCES":
    case "EPERM":
      return new FolderWriteError(
        "not_writable",
        "folder_not_writable",
        `memsnap cannot write in ${folder} (${errnoOf(err)}); make it writable by the user memsnap runs as, or point the folder at a writable one`,
      );
    case "ENOTDIR":
    case "EEXIST":
      return new FolderWriteError(
        "conflict",
        "not_a_folder",
        `${folder} is not a folder; remove what is there or point the folder elsewhere`,
      );
    case "ELOOP":
      return new FolderWriteError(
        "conflict",
        "folder_replaced",
        `${folder} was replaced by a symbolic link; memsnap does not write through links`,
      );
    case "ENOENT":
      return new FolderWriteError(
        "conflict",
        "folder_removed",
        `${folder} was removed while memsnap wrote in it; send the request again`,
      );
    // The temporary name is always a file, so a folder in the way gives EISDIR (never ENOTEMPTY).
    case "EISDIR":
      return new FolderWriteError("conflict", "not_a_file", "file_path names a folder, not a file");
    default:
      return err as Error;
  }
}

/** Opens the folder (created if missing) as a directory, never through a link in its last part. */
async function openFolder(folder: string): Promise<fs.FileHandle> {
  const flags = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
  const resolved = path.resolve(folder);
  try {
    let real = realFolders.get(resolved);
    if (real === undefined) {
      await fs.mkdir(resolved, { recursive: true });
      real = await fs.realpath(resolved);
      realFolders.set(resolved, real);
    }
    try {
      return await fs.open(real, flags);
    } catch (err) {
      if (errnoOf(err) !== "ENOENT") throw err;
      await fs.mkdir(real, { recursive: true });
      return await fs.open(real, flags);
    }
  } catch (err) {
    throw folderProblem(err, resolved);
  }
}

export interface WrittenFile {
  path: string;
  bytes: number;
}

/**
 * Writes `text` as `name` directly inside `folder` (created if missing), atomically: a new
 * temporary file (O_CREAT|O_EXCL|O_NOFOLLOW) in the opened folder, then a link (refusing an
 * existing file) or a rename (replacing it) within that same folder. Every path goes through
 * the folder's open descriptor, so a link swapped in meanwhile leads nowhere else. No
 * temporary file is left behind on any failure.
 */
export async function writeInside(
  folder: string,
  name: string,
  text: string,
  overwrite: boolean,
): Promise<WrittenFile> {
  checkFlatJsonName(name);
  const dir = await openFolder(folder);
  const inFolder = (entry: string) => `/proc/self/fd/${dir.fd}/${entry}`;
  const temp = `.${name}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const file = await fs.open(
      inFolder(temp),
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o644,
    );
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    if (overwrite) await fs.rename(inFolder(temp), inFolder(name));
    else await linkRefusingExisting(inFolder(temp), inFolder(name), name);
    return { path: path.join(realFolders.get(path.resolve(folder)) ?? folder, name), bytes: Buffer.byteLength(text) };
  } catch (err) {
    // A FileExistsError has no errno: folderProblem passes it through as it is.
    throw folderProblem(err, path.resolve(folder));
  } finally {
    // Still there after a link or a failure, gone after a rename or when it was never created.
    await fs.rm(inFolder(temp)).catch(() => undefined);
    await dir.close();
  }
}

async function linkRefusingExisting(temp: string, file: string, name: string): Promise<void> {
  try {
    await fs.link(temp, file);
  } catch (err) {
    if (errnoOf(err) === "EEXIST") throw new FileExistsError(name);
    throw err;
  }
}
