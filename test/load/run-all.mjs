// npm run bench: builds, runs the three benchmarks one after another (each in its own process),
// writes test/load/results/summary.md, and proves no process it started is still running.
//   node test/load/run-all.mjs [--quick] [imds] [cache] [api]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processesWithEnv } from './proc-stats.mjs';
import { RUN_MARKER_KEY } from './processes.mjs';
import { repoRoot, resultsDir } from './report.mjs';
import { writeSummary } from './summary.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const all = ['imds', 'cache', 'api'];
const chosen = all.filter((name) => args.includes(name));
const names = chosen.length > 0 ? chosen : all;
const marker = `run-${Date.now()}-${randomBytes(4).toString('hex')}`;
const startedMs = performance.now();

console.log('building packages/shared, packages/imds-cache, packages/api…');
const build = spawnSync(
  process.execPath,
  [
    join(repoRoot, 'node_modules/typescript/bin/tsc'),
    '-b',
    'packages/shared',
    'packages/imds-cache',
    'packages/api',
  ],
  { cwd: repoRoot, stdio: 'inherit' },
);
if (build.status !== 0) {
  console.error('build failed; no benchmark was run');
  process.exit(1);
}

/** Processes carrying this run's marker; given a moment, as a stopped child may still be exiting. */
async function leftovers() {
  for (let attempt = 0; attempt < 20; attempt++) {
    const found = processesWithEnv(RUN_MARKER_KEY, marker);
    if (found.length === 0) return [];
    await sleep(250);
  }
  return processesWithEnv(RUN_MARKER_KEY, marker);
}

const runs = [];
let failed = false;
for (const name of names) {
  console.log(`\n=== bench:${name} ===`);
  const benchStartedMs = performance.now();
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, `test/load/bench-${name}.mjs`), ...(quick ? ['--quick'] : [])],
    { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, [RUN_MARKER_KEY]: marker } },
  );
  const seconds = (performance.now() - benchStartedMs) / 1000;
  const left = await leftovers();
  for (const { pid } of left) {
    // Ours by the marker; stopped one by one, and the run still fails.
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const ok = result.status === 0 && left.length === 0;
  failed ||= !ok;
  runs.push({ name, seconds, exitCode: result.status, leftoverProcesses: left });
  console.log(
    `bench:${name} ${ok ? 'done' : 'FAILED'} in ${seconds.toFixed(1)} s` +
      (left.length > 0 ? `; ${left.length} process(es) outlived it and were killed` : ''),
  );
}

const totalSeconds = (performance.now() - startedMs) / 1000;
const stillRunning = processesWithEnv(RUN_MARKER_KEY, marker);
const record = {
  command: 'npm run bench',
  quick,
  totalSeconds,
  runs,
  processesLeftAfterRun: stillRunning.length,
  finishedAt: new Date().toISOString(),
};
if (!quick && names.length === all.length) {
  writeFileSync(join(resultsDir, 'run-all.json'), `${JSON.stringify(record, null, 2)}\n`);
}
writeSummary();
console.log(
  `\nnpm run bench: ${runs.map((r) => `${r.name} ${r.seconds.toFixed(0)} s`).join(', ')}; total ${totalSeconds.toFixed(0)} s (${(totalSeconds / 60).toFixed(1)} min).`,
);
console.log(
  stillRunning.length === 0
    ? `No process started by this run is still running (checked /proc for ${RUN_MARKER_KEY}=${marker}).`
    : `${stillRunning.length} process(es) from this run are still running: ${stillRunning.map((p) => p.pid).join(', ')}`,
);
process.exit(failed || stillRunning.length > 0 ? 1 : 0);
