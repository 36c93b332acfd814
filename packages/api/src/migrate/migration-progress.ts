import { countOf, type MigrationSummary } from './migration-summary.js';

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressOptions {
  readonly out: ProgressOutput;
  readonly now: () => number;
  /** The old table's approximate size, when known. */
  readonly total: number | undefined;
  /** Without a terminal, one plain line at most this often. */
  readonly lineEveryMs?: number;
}

const BAR_WIDTH = 30;
const REDRAW_EVERY_MS = 100;

function counts(s: MigrationSummary): string {
  return `migrated ${s.migrated}, present ${s.alreadyPresent}, skipped ${countOf(s.skipped)}, failed ${countOf(s.failed)}`;
}

/**
 * A bar redrawn in place on a terminal; plain periodic lines otherwise (logs, CI), so a
 * redirected stderr holds no carriage returns.
 */
export function createProgress(options: ProgressOptions) {
  const tty = options.out.isTTY === true;
  const every = tty ? REDRAW_EVERY_MS : (options.lineEveryMs ?? 5_000);
  let lastMs = Number.NEGATIVE_INFINITY;

  const render = (s: MigrationSummary): string => {
    const total = Math.max(options.total ?? 0, s.seen);
    if (!tty) return `migrate: ${s.seen}${total ? `/${total}` : ''} items: ${counts(s)}\n`;
    const filled = total ? Math.round((s.seen / total) * BAR_WIDTH) : 0;
    const bar = `${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}`;
    return `\r[${bar}] ${s.seen}${total ? `/${total}` : ''} ${counts(s)}\u001b[K`;
  };

  return {
    update(s: MigrationSummary): void {
      const nowMs = options.now();
      if (nowMs - lastMs < every) return;
      lastMs = nowMs;
      options.out.write(render(s));
    },
    done(s: MigrationSummary): void {
      options.out.write(tty ? `${render(s)}\n` : render(s));
    },
  };
}
