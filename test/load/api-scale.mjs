// bench:api at scale: 1k, 10k and 100k employees seeded straight into the DynamoDB stand-in
// (api-scale-seed.mjs), then at each size the first page, two searches and a page deep in the list
// at 16 connections, and the one-page view (/everyone) when test/load/api-everyone.mjs exists.
//   node test/load/bench-api.mjs --scale-only [--sizes 1000,10000,100000] [--quick]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeCursor } from '../../packages/api/dist/store/cursor.js';
import { closedLoop } from './api-measure.mjs';
import { middleSortKey, seedDirect } from './api-scale-seed.mjs';
import { startApiStack, TABLE_NAME } from './api-stack.mjs';
import { loadRun } from './load-run.mjs';
import { loadAverage1m } from './proc-stats.mjs';
import { machine, markdownTable, repoRoot, writeResults } from './report.mjs';

const CONNECTIONS = 16;
const everyoneModule = join(repoRoot, 'test', 'load', 'api-everyone.mjs');

/**
 * The one-page view's measurement, when the /everyone piece has landed.
 * @returns {Promise<((baseUrl: string, headers: Record<string, string>) => Promise<any>) | undefined>}
 */
async function everyoneMeasure() {
  if (!existsSync(everyoneModule)) return undefined;
  const module = await import(pathToFileURL(everyoneModule).href);
  return module.measureEveryone;
}

/**
 * @param {{ sizes: number[], durationS: number, engine: any }} options
 */
export async function runScale({ sizes, durationS, engine }) {
  const startedMs = performance.now();
  const loadAtStart = loadAverage1m();
  const measureEveryone = await everyoneMeasure();
  const stack = await startApiStack({ engine });
  const dynamoDb = stack.ddb.engine;
  /** @type {any[]} */
  const rows = [];
  try {
    let seededSoFar = 0;
    let seedMs = 0;
    let items = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      console.log(
        `seeding employees ${seededSoFar}–${size - 1} straight into ${stack.ddb.engine}…`,
      );
      const seeded = await seedDirect(stack.ddb, TABLE_NAME, {
        from: seededSoFar,
        to: size,
        onProgress: (done) => {
          if (done % 5000 === 0) console.log(`  ${seededSoFar + done} employees`);
        },
      });
      seededSoFar = size;
      seedMs += seeded.ms;
      items += seeded.items;
      const deep = encodeCursor(middleSortKey(size));
      const paths = {
        firstPage: '/api/employees',
        search: '/api/employees?q=ma',
        searchLong: '/api/employees?q=anderss',
        deepPage: `/api/employees?cursor=${encodeURIComponent(deep)}`,
      };
      /** @type {Record<string, any>} */
      const runs = {};
      // Warm-up: JIT, connection pools, the photo URL cache.
      await loadRun({
        url: `${stack.url}${paths.firstPage}`,
        connections: CONNECTIONS,
        durationS: 1,
        headers: stack.headers,
      });
      for (const [name, path] of Object.entries(paths)) {
        console.log(`${size} employees: ${path.slice(0, 60)} at ${CONNECTIONS} connections…`);
        runs[name] = await loadRun({
          url: `${stack.url}${path}`,
          connections: CONNECTIONS,
          durationS,
          headers: stack.headers,
        });
      }
      // One request at a time as well: on a shared machine the 16-connection figures are mostly queueing.
      /** @type {Record<string, any>} */
      const sequential = {};
      for (const [name, path] of Object.entries(paths)) {
        sequential[name] = await closedLoop(1, Math.min(durationS, 3) * 1000, async () => {
          const res = await fetch(`${stack.url}${path}`, { headers: stack.headers });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
        });
      }
      const everyone = measureEveryone ? await measureEveryone(stack.url, stack.headers) : null;
      rows.push({
        size,
        items,
        seedMs,
        loadAverage1m: loadAverage1m(),
        runs,
        sequential,
        everyone,
      });
    }
  } finally {
    await stack.stop();
  }
  const data = {
    benchmark: 'api-scale',
    machine: machine(),
    setup: {
      dynamoDb,
      connections: CONNECTIONS,
      durationS,
      seededThrough:
        'BatchWriteItem straight into the stand-in: employee items and their search hints',
      everyone: measureEveryone
        ? 'test/load/api-everyone.mjs'
        : 'not measured: api-everyone.mjs absent',
    },
    loadAverage1m: { atStart: loadAtStart, atEnd: loadAverage1m() },
    rows,
    benchMs: performance.now() - startedMs,
  };
  writeResults('api-scale', data, scaleMarkdown(data));
  return data;
}

/** @param {number} value */
const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : '–');
/** @param {any} run */
const cell = (run) =>
  run.requests === 0
    ? 'no answer within the run'
    : `${ms(run.p50Ms)} / ${ms(run.p99Ms)}${run.non2xx || run.errors ? ` (${run.non2xx + run.errors} failed)` : ''}`;

/** @param {any} data */
export function scaleMarkdown(data) {
  const names = ['firstPage', 'search', 'searchLong', 'deepPage'];
  const table = markdownTable(
    [
      'employees (table items)',
      'first page p50 / p99 ms',
      'search q=ma p50 / p99 ms',
      'search q=anderss p50 / p99 ms',
      'deep page p50 / p99 ms',
      'one-page view (/everyone)',
      'load avg',
    ],
    data.rows.map((/** @type {any} */ r) => [
      `${r.size.toLocaleString('en-US')} (${r.items.toLocaleString('en-US')})`,
      ...names.map((n) => cell(r.runs[n])),
      r.everyone ? String(r.everyone.summary ?? JSON.stringify(r.everyone)) : '– (not measured)',
      String(r.loadAverage1m),
    ]),
  );
  const first = data.rows[0];
  const last = data.rows.at(-1);
  /** @param {'runs' | 'sequential'} kind */
  const ratios = (kind) =>
    first && last && first !== last
      ? names
          .map((n) => `${n} ${(last[kind][n].p50Ms / first[kind][n].p50Ms).toFixed(2)}×`)
          .join(', ')
      : 'one size only';
  const sequentialTable = markdownTable(
    ['employees', 'first page', 'search q=ma', 'search q=anderss', 'deep page'],
    data.rows.map((/** @type {any} */ r) => [
      r.size.toLocaleString('en-US'),
      ...names.map((n) => `${ms(r.sequential[n].p50Ms)} / ${ms(r.sequential[n].p99Ms)}`),
    ]),
  );
  return [
    `## bench:api at scale — ${data.rows.map((/** @type {any} */ r) => r.size.toLocaleString('en-US')).join(' / ')} employees`,
    '',
    `DynamoDB stand-in: ${data.setup.dynamoDb}; employees and their search hint items written with BatchWriteItem, not through the API. JSON API, default page size 25, ${data.setup.connections} connections, ${data.setup.durationS} s per run (autocannon in the benchmark process, on the same ${data.machine.cores} shared cores). Goal: flat across sizes (p50 within 1.5× from the smallest to the largest). p50 ratio largest/smallest at 16 connections: ${ratios('runs')}; one at a time: ${ratios('sequential')}.`,
    '',
    table,
    '',
    'The same requests one at a time (p50 / p99 ms), which queueing behind other processes distorts less:',
    '',
    sequentialTable,
    '',
    `Measured ${data.machine.measuredAt}, Node ${data.machine.node}; 1-min load average ${data.loadAverage1m.atStart} at the start (the machine was shared with other work).`,
  ].join('\n');
}
