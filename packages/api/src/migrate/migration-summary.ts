/** What one run did, counted as it goes; `ids` keep a few examples per reason for the report. */
export interface MigrationSummary {
  dryRun: boolean;
  /** Old items looked at. */
  seen: number;
  /** Written to the new table (or, in a dry run, would be). */
  migrated: number;
  /** Already in the new table with this id: left as it is. */
  alreadyPresent: number;
  skipped: Map<string, string[]>;
  failed: Map<string, string[]>;
  adjusted: Map<string, string[]>;
  photosCopied: number;
  photosMissing: string[];
  photosUnreadable: string[];
  /** True when the run stopped early (--limit or a signal): run it again to finish. */
  stoppedEarly: boolean;
}

export function emptySummary(dryRun: boolean): MigrationSummary {
  return {
    dryRun,
    seen: 0,
    migrated: 0,
    alreadyPresent: 0,
    skipped: new Map(),
    failed: new Map(),
    adjusted: new Map(),
    photosCopied: 0,
    photosMissing: [],
    photosUnreadable: [],
    stoppedEarly: false,
  };
}

export function record(map: Map<string, string[]>, reason: string, id: string): void {
  const ids = map.get(reason) ?? [];
  ids.push(id);
  map.set(reason, ids);
}

export function countOf(map: Map<string, string[]>): number {
  let total = 0;
  for (const ids of map.values()) total += ids.length;
  return total;
}

const EXAMPLES = 5;

function examples(ids: readonly string[]): string {
  const shown = ids.slice(0, EXAMPLES).join(', ');
  return ids.length > EXAMPLES ? `${shown}, … (${ids.length - EXAMPLES} more)` : shown;
}

function lines(map: Map<string, string[]>): string[] {
  return [...map].map(([reason, ids]) => `      ${reason}: ${ids.length} (${examples(ids)})`);
}

/** The human summary printed at the end of a run. */
export function formatSummary(s: MigrationSummary): string {
  const would = s.dryRun ? 'would be ' : '';
  const out = [
    s.dryRun ? 'Dry run: nothing was written.' : 'Migration summary:',
    `  old items read:    ${s.seen}`,
    `  migrated:          ${s.migrated}${s.dryRun ? ' (would be)' : ''}`,
    `  already present:   ${s.alreadyPresent}`,
    `  skipped:           ${countOf(s.skipped)}`,
    ...lines(s.skipped),
    `  failed:            ${countOf(s.failed)}`,
    ...lines(s.failed),
    `  photos copied:     ${s.photosCopied}${s.dryRun ? ' (would be)' : ''}`,
    `  photos missing:    ${s.photosMissing.length}${s.photosMissing.length ? ` (${examples(s.photosMissing)}; ${would}migrated without a photo)` : ''}`,
    `  photos unreadable: ${s.photosUnreadable.length}${s.photosUnreadable.length ? ` (${examples(s.photosUnreadable)}; ${would}migrated without a photo)` : ''}`,
  ];
  if (s.adjusted.size > 0) out.push('  adjusted to fit the new schema:', ...lines(s.adjusted));
  if (s.stoppedEarly) out.push('Stopped early: run the same command again to continue.');
  else if (countOf(s.failed) > 0) out.push('Some items failed: run the same command again.');
  return out.join('\n');
}
