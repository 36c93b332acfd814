#!/usr/bin/env node
import { migrateFlask } from './flask-migration.js';
import { loadMigrateConfig, MigrateConfigError } from './migrate-config.js';
import { createMigrationDeps } from './migration-deps.js';
import { createProgress } from './migration-progress.js';
import { countOf, formatSummary } from './migration-summary.js';

// Wiring, signals and exit codes only: 0 done, 1 failed items or no access, 2 bad usage, 130 stopped.
const name = 'empdir-migrate-flask';
let config: ReturnType<typeof loadMigrateConfig>;
try {
  config = loadMigrateConfig(process.env, process.argv.slice(2));
} catch (error) {
  if (error instanceof MigrateConfigError) {
    console.error(`${name}: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

const deps = createMigrationDeps(config);
try {
  await deps.checkReady();
} catch (error) {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  console.error(
    `${name}: cannot reach ${config.fromTable}/${config.fromBucket} or ${config.tableName}/${config.photosBucket}: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : cause}`,
  );
  process.exit(1);
}

const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second signal means "now"; the first lets the items in hand finish.
    if (stop.signal.aborted) process.exit(130);
    console.error(`\n${name}: stopping after the items in hand (again to quit at once)…`);
    stop.abort();
  });
}

const progress = createProgress({
  out: process.stderr,
  now: Date.now,
  total: await deps.source.approximateCount(),
});
try {
  const summary = await migrateFlask(deps, {
    dryRun: config.dryRun,
    segments: config.segments,
    limit: config.limit,
    signal: stop.signal,
    onProgress: (s) => progress.update(s),
  });
  progress.done(summary);
  console.log(formatSummary(summary));
  process.exitCode = stop.signal.aborted ? 130 : countOf(summary.failed) > 0 ? 1 : 0;
} catch (error) {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  console.error(
    `${name}: reading ${config.fromTable} failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : cause}`,
  );
  process.exitCode = 1;
} finally {
  deps.close();
}
