/**
 * Files that hold a secret on this machine (an ssh:// site's key, a tcp:// engine's client key),
 * for tools that take only a file: a folder only its owner can enter, never reached through a
 * symbolic link, files only their owner can read, written without following a link or writing
 * through a second hard link, and files no run has used for a while removed.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** How long a secret file may stay unused before any run of the program removes it. */
export const STALE_SECRET_FILE_MS = 6 * 60 * 60 * 1000;

const ownUid = (): number | undefined => process.getuid?.();

/** Refuses a folder that is a symbolic link, not a folder, someone else's, or writable by others (as `mode` allows). */
function checkFolder(dir: string, allowedMode: number): fs.Stats {
  const stat = fs.lstatSync(dir);
  if (stat.isSymbolicLink())
    throw new Error(`${dir} is a symbolic link: refused, the folder for secret files is never followed through one`);
  if (!stat.isDirectory()) throw new Error(`${dir} is not a folder`);
  const uid = ownUid();
  if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) throw new Error(`${dir} belongs to another user (uid ${stat.uid}): refused`);
  if ((stat.mode & 0o022 & ~allowedMode) !== 0 && (stat.mode & 0o1000) === 0) {
    throw new Error(`${dir} can be written by other users: refused (chmod go-w ${dir})`);
  }
  return stat;
}

/**
 * Makes `dir` a folder only its owner can enter (0700), creating it (and its parent) if missing:
 * the folder must not be a symbolic link and must be the user's; its parent must not be one
 * others can write to (they could swap the folder), unless it is sticky like /tmp.
 */
export function ensureOwnerOnlyDir(dir: string): void {
  const parent = path.dirname(dir);
  if (!fs.existsSync(parent)) fs.mkdirSync(parent, { recursive: true, mode: 0o700 });
  checkFolder(parent, 0);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  checkFolder(dir, 0o022);
  // mkdir's mode applies only to a folder it creates: an existing one is tightened here.
  fs.chmodSync(dir, 0o700);
}

/**
 * Writes a file readable by its owner only. A new file is created exclusively; an existing one is
 * opened without following a symbolic link, must be a plain file of the user's with no other hard
 * link, and gets mode 0600 before its content is replaced (writeFile's mode applies only on creation).
 */
export function writeOwnerOnly(file: string, content: string): void {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW = 0 } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    fd = fs.openSync(file, O_WRONLY | O_NOFOLLOW);
  }
  try {
    const stat = fs.fstatSync(fd);
    const uid = ownUid();
    if (!stat.isFile() || stat.nlink !== 1 || (uid !== undefined && stat.uid !== uid)) {
      throw new Error(`${file} is not a plain file of this user's with one link: refused, nothing written`);
    }
    fs.fchmodSync(fd, 0o600);
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Removes the files in `dir` whose names match `pattern` that no run has written for `maxAgeMs`
 * (each run rewrites its own, so another stack's deployment in progress keeps its files), except
 * `keep`. Returns the names removed. A file that vanished meanwhile is skipped.
 */
export function removeStaleFiles(dir: string, pattern: RegExp, keep: readonly string[], maxAgeMs = STALE_SECRET_FILE_MS): string[] {
  const removed: string[] = [];
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    if (!pattern.test(name) || keep.includes(name)) continue;
    const file = path.join(dir, name);
    try {
      const stat = fs.lstatSync(file);
      if (now - stat.mtimeMs < maxAgeMs) continue;
      if (stat.isDirectory()) fs.rmSync(file, { recursive: true, force: true });
      else fs.unlinkSync(file);
      removed.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return removed;
}
