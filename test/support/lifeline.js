import { fstatSync } from 'node:fs';

/**
 * Child side of the stand-in contract: run `cleanup` and exit on SIGTERM/SIGINT, or when the
 * parent's end of our stdin pipe closes (the parent exited or was killed, even by SIGKILL).
 * A stdin that is a terminal, /dev/null or a file is not watched: it would "close" at once.
 * @param {() => Promise<void> | void} cleanup
 * @param {{ cleanupTimeoutMs?: number }} [options]
 */
export function exitWithParent(cleanup, { cleanupTimeoutMs = 5_000 } = {}) {
  let exiting = false;
  /** @param {number} code */
  const exit = async (code) => {
    if (exiting) return;
    exiting = true;
    // A cleanup that hangs must not keep an orphan alive.
    const timer = setTimeout(() => process.exit(code), cleanupTimeoutMs);
    try {
      await cleanup();
    } catch (error) {
      console.error('stand-in cleanup failed:', error);
      code = 1;
    }
    clearTimeout(timer);
    process.exit(code);
  };
  // `on`, not `once`: a second SIGTERM must not kill us mid-cleanup with the default action.
  process.on('SIGTERM', () => void exit(0));
  process.on('SIGINT', () => void exit(0));
  if (stdinIsPipe()) {
    process.stdin.on('data', () => {});
    process.stdin.once('end', () => void exit(0));
    process.stdin.once('close', () => void exit(0));
    process.stdin.once('error', () => void exit(0));
  }
}

function stdinIsPipe() {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}
