import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// Written here rather than taken from a library: proper-lockfile and lockfile judge a lock stale by
// its age (a heartbeat), flock needs a native addon; we want "the holder's process is gone".

/** Another live daemon holds the token file's lock. main.ts exits 2. */
export class DaemonLockedError extends Error {
  override name = 'DaemonLockedError';
  constructor(
    readonly lockPath: string,
    readonly pid: number,
  ) {
    super(`another imds-cache is already running (pid ${pid}, lock ${lockPath}); nothing changed`);
  }
}

export interface LockHolder {
  readonly pid: number;
  /** The holder's start time in clock ticks since boot (/proc/PID/stat), when it was readable. */
  readonly startTicks: string;
}

export interface DaemonLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/** The lock beside the token: `/run/imds-cache/token` → `/run/imds-cache/.token.lock`. */
export function lockPathFor(tokenFile: string): string {
  return join(dirname(tokenFile), `.${basename(tokenFile)}.lock`);
}

// Locks this process holds: a second in-process start must see them as held, not as stale.
const heldHere = new Set<string>();

/**
 * Takes the token file's lock: a file created atomically (link) holding our pid and start time.
 * A lock whose holder is gone (no such pid, or the pid now belongs to a later process) is recovered.
 */
export async function acquireDaemonLock(tokenFile: string): Promise<DaemonLock> {
  const path = lockPathFor(tokenFile);
  await mkdir(dirname(path), { recursive: true, mode: 0o750 });
  const mine = `${process.pid} ${startTicksOf(process.pid) ?? '-'}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (heldHere.has(path)) throw new DaemonLockedError(path, process.pid);
    if (await tryCreate(path, mine)) {
      heldHere.add(path);
      return lockHandle(path, mine);
    }
    const text = await readFile(path, 'utf8').catch(ifMissing(undefined));
    if (text === undefined) continue;
    const holder = parseHolder(text);
    if (holder && isAlive(holder)) throw new DaemonLockedError(path, holder.pid);
    await removeIfUnchanged(path, text);
  }
  throw new Error(`could not take the lock ${path}: it keeps changing hands`);
}

/** The live holder of the token file's lock, if any (for `imds-cache rotate-token`). */
export async function lockHolder(tokenFile: string): Promise<LockHolder | undefined> {
  const text = await readFile(lockPathFor(tokenFile), 'utf8').catch(ifMissing(undefined));
  const holder = text === undefined ? undefined : parseHolder(text);
  return holder && isAlive(holder) ? holder : undefined;
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, content, { mode: 0o640, flag: 'wx' });
  try {
    // link() fails if the name exists: creation and content arrive together, never half-written.
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/** Moves a dead holder's lock aside; puts it back if a live daemon replaced it meanwhile. */
async function removeIfUnchanged(path: string, judgedDead: string): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8');
  if (moved !== judgedDead) await link(aside, path).catch(() => undefined);
  await rm(aside, { force: true });
}

function lockHandle(path: string, mine: string): DaemonLock {
  let released: Promise<void> | undefined;
  return {
    path,
    release() {
      released ??= (async () => {
        heldHere.delete(path);
        const text = await readFile(path, 'utf8').catch(ifMissing(undefined));
        if (text === mine) await rm(path, { force: true });
      })();
      return released;
    },
  };
}

function parseHolder(text: string): LockHolder | undefined {
  const match = /^(\d{1,10}) (\d+|-)\n$/.exec(text);
  if (!match) return undefined;
  return { pid: Number(match[1]), startTicks: match[2] ?? '-' };
}

function isAlive(holder: LockHolder): boolean {
  if (holder.pid === process.pid || holder.pid < 1) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's process.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A reused pid belongs to a process that started later than the holder did.
  const now = startTicksOf(holder.pid);
  return holder.startTicks === '-' || now === undefined || now === holder.startTicks;
}

/** Field 22 of /proc/PID/stat, after the command name (which may hold spaces and parentheses). */
export function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function ifMissing<T>(value: T) {
  return (error: unknown): T => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return value;
    throw error;
  };
}
