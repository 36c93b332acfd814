import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const TOKEN_FILE_MODE = 0o640;

/**
 * Writes a fresh random token (32 bytes, base64url, no newline: SDKs send the file's bytes as the
 * Authorization header) with mode 0640, atomically: a reader sees the old file or the new one.
 */
export async function writeTokenFile(path: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', TOKEN_FILE_MODE);
    try {
      await file.writeFile(token, 'utf8');
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
