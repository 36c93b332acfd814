import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const TOKEN_FILE_MODE = 0o640;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** 32 random bytes, base64url: 43 characters, no newline. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Writes `token` (default: a fresh one) with mode 0640, atomically: a reader sees the old file or
 * the new one. No newline: SDKs send the file's bytes as the Authorization header. With `gid`
 * the file belongs to that group (a client's token file, readable by the client's group).
 */
export async function writeTokenFile(
  path: string,
  token = newToken(),
  gid?: number,
): Promise<string> {
  const dir = dirname(path);
  // Directories made for a group's file let others traverse (never list) to reach it.
  await mkdir(dir, { recursive: true, mode: gid === undefined ? 0o750 : 0o751 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', TOKEN_FILE_MODE);
    try {
      await file.writeFile(token, 'utf8');
      // Before the rename: the group can read the file from the moment it appears.
      if (gid !== undefined) await file.chown(-1, gid);
      // The umask may have narrowed or widened nothing we want; set the mode exactly.
      await file.chmod(TOKEN_FILE_MODE);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return token;
}

/** The token in `path` if the file is intact (a regular file of ours, mode 0640, one token). */
export async function readIntactToken(
  path: string,
  gid?: number,
): Promise<{ token: string } | { problem: string }> {
  const info = await lstat(path).catch(() => undefined);
  if (!info) return { problem: 'no token file' };
  if (!info.isFile()) return { problem: 'not a regular file' };
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) return { problem: `owned by uid ${info.uid}` };
  if ((info.mode & 0o777) !== TOKEN_FILE_MODE) {
    return { problem: `mode ${(info.mode & 0o777).toString(8)}, not 640` };
  }
  if (gid !== undefined && info.gid !== gid) return { problem: `group ${info.gid}, not ${gid}` };
  if (info.size !== 43) return { problem: `${info.size} bytes, not 43` };
  const token = await readFile(path, 'utf8');
  return TOKEN_PATTERN.test(token) ? { token } : { problem: 'not a token' };
}

/**
 * Reuses an intact token (clients holding its value keep working across restarts) or writes a
 * fresh one. Call only while holding the daemon lock.
 */
export async function reuseOrWriteToken(
  path: string,
  gid?: number,
): Promise<{ token: string; reused: boolean; problem?: string }> {
  const found = await readIntactToken(path, gid);
  if ('token' in found) return { token: found.token, reused: true };
  return {
    token: await writeTokenFile(path, undefined, gid),
    reused: false,
    problem: found.problem,
  };
}
