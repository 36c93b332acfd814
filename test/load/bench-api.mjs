// bench:api — the employee directory's read path against the local stand-ins with 1000
// employees: first page, every page in turn, the JSON list, and the stand-in's own share.
//   node test/load/bench-api.mjs [--quick] [--engine dynalite|dynamodb-local]
//     [--scale-only | --no-scale] [--sizes 1000,10000,100000]
// Then, unless --no-scale, the scale run of api-scale.mjs (1k, 10k, 100k seeded directly).
import { closedLoop, directQuery, median, walkHtml, walkJson } from './api-measure.mjs';
import { runScale } from './api-scale.mjs';
import { seedThroughApi, startApiStack, TABLE_NAME } from './api-stack.mjs';
import { loadRun } from './load-run.mjs';
import {
  cpuBetween,
  loadAverage1m,
  procSample,
  systemCpuSample,
  treeSample,
} from './proc-stats.mjs';
import { stopAll } from './processes.mjs';
import { machine, markdownTable, writeResults } from './report.mjs';
import { writeSummary } from './summary.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const quick = process.argv.includes('--quick');
const engineArg = process.argv[process.argv.indexOf('--engine') + 1];
const engine = process.argv.includes('--engine') ? /** @type {any} */ (engineArg) : 'auto';
const durationS = quick ? 2 : 5;
const walkRepeats = quick ? 2 : 5;
const seed = { count: 1000, withPhotos: 505, concurrency: 8 };
// The original Flask sample: all 1000 employees on one page, 0.27 s of CPU per view on 2 cores.
const flask = { cpuMsPerView: 270, requestsPerS: 3.6 };
const goals = { firstPageRps: 300, firstPageP99Ms: 100, speedup: 20 };
const disturbedCorePercent = 25;
const maxAttempts = 2;

/**
 * An autocannon run with the API's and the DynamoDB stand-in's CPU sampled around it.
 * @param {{ url: string, connections: number, apiPid: number, ddbPid: number,
 *   headers: Record<string, string> }} target
 */
async function measured({ url, connections, apiPid, ddbPid, headers }) {
  const [api0, ddb0, system0, self0] = [
    procSample(apiPid),
    treeSample(ddbPid),
    systemCpuSample(),
    process.cpuUsage(),
  ];
  const load = await loadRun({ url, connections, durationS, headers });
  const self = process.cpuUsage(self0);
  const [api1, ddb1, system1] = [procSample(apiPid), treeSample(ddbPid), systemCpuSample()];
  const requests = Math.max(1, load.requests);
  const api = cpuBetween(api0, api1);
  const standin = cpuBetween(ddb0, ddb1);
  const wallMs = system1.atMs - system0.atMs;
  const loadGeneratorCorePercent = (100 * (self.user + self.system)) / 1000 / wallMs;
  return {
    ...load,
    apiCorePercent: api.corePercent,
    apiCpuMsPerRequest: api.cpuMs / requests,
    apiRssMb: api1.rssMb,
    standinCorePercent: standin.corePercent,
    standinCpuMsPerRequest: standin.cpuMs / requests,
    loadGeneratorCorePercent,
    // What none of the API, the DynamoDB stand-in and autocannon used: other processes (noise).
    otherCorePercent: Math.max(
      0,
      (100 * (system1.busyMs - system0.busyMs)) / wallMs -
        api.corePercent -
        standin.corePercent -
        loadGeneratorCorePercent,
    ),
  };
}

/**
 * `measured`, repeated once when other processes took more than a quarter of a core meanwhile;
 * the less disturbed run is kept and the table says how many were repeated.
 * @param {Parameters<typeof measured>[0]} target
 */
async function leastDisturbed(target) {
  let best = await measured(target);
  let attempts = 1;
  while (best.otherCorePercent > disturbedCorePercent && attempts < maxAttempts) {
    console.log(`  other processes used ${Math.round(best.otherCorePercent)} % of a core; again…`);
    attempts += 1;
    const again = await measured(target);
    if (again.otherCorePercent < best.otherCorePercent) best = again;
  }
  return { ...best, attempts };
}

async function main() {
  const startedMs = performance.now();
  const loadAtStart = loadAverage1m();
  console.log('starting the stand-ins and the API…');
  const stack = await startApiStack({ engine });
  try {
    console.log(
      `seeding ${seed.count} employees (${seed.withPhotos} with photos) through the API…`,
    );
    const seeded = await seedThroughApi(stack.url, seed, stack.headers);
    const ddbPid = stack.ddb.pid;
    const { apiPid } = stack;

    // Warm-up: JIT, connection pools, and the photo URL cache a running service already has.
    const warm = await walkHtml(stack.url, stack.headers);
    await walkJson(stack.url, 100, stack.headers);
    await loadRun({ url: `${stack.url}/`, connections: 16, durationS: 1, headers: stack.headers });

    const htmlWalks = [];
    for (let i = 0; i < walkRepeats; i++) {
      const before = procSample(apiPid);
      const walk = await walkHtml(stack.url, stack.headers);
      htmlWalks.push({ ...walk, apiCpuMs: procSample(apiPid).cpuMs - before.cpuMs });
    }
    const jsonWalks = [];
    for (let i = 0; i < walkRepeats; i++)
      jsonWalks.push(await walkJson(stack.url, 100, stack.headers));

    const runs = [];
    for (const [label, path] of [
      ['GET / (first page)', '/'],
      ['GET /api/employees?limit=100', '/api/employees?limit=100'],
    ]) {
      for (const connections of [16, 64]) {
        console.log(`${label} at ${connections} connections, ${durationS} s…`);
        runs.push({
          label,
          path,
          ...(await leastDisturbed({
            url: `${stack.url}${path}`,
            connections,
            apiPid,
            ddbPid,
            headers: stack.headers,
          })),
        });
      }
    }

    console.log(
      'one request at a time through the API, then the same queries straight through the SDK…',
    );
    const pageSize = Math.round(warm.rows / warm.pages);
    /** @param {string} path */
    const getOnce = async (path) => {
      const res = await fetch(`${stack.url}${path}`, { headers: stack.headers });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    };
    const sequential = {
      firstPage: await closedLoop(1, durationS * 1000, () => getOnce('/')),
      jsonPage100: await closedLoop(1, durationS * 1000, () => getOnce('/api/employees?limit=100')),
    };
    const direct = directQuery(stack.ddb, TABLE_NAME);
    let directResults;
    try {
      await direct.walk(pageSize);
      const directWalks = [];
      for (let i = 0; i < walkRepeats; i++) directWalks.push(await direct.walk(pageSize));
      const directWalks100 = [];
      for (let i = 0; i < walkRepeats; i++) directWalks100.push(await direct.walk(100));
      directResults = {
        firstPageSequential: await closedLoop(1, durationS * 1000, () =>
          direct.firstPage(pageSize),
        ),
        page100Sequential: await closedLoop(1, durationS * 1000, () => direct.firstPage(100)),
        walkMs: median(directWalks.map((w) => w.ms)),
        walkPages: directWalks[0]?.pages,
        walk100Ms: median(directWalks100.map((w) => w.ms)),
        firstPage16: await closedLoop(16, durationS * 1000, () => direct.firstPage(pageSize)),
      };
    } finally {
      direct.close();
    }

    const htmlWalkMs = median(htmlWalks.map((w) => w.ms));
    const htmlWalkCpuMs = median(htmlWalks.map((w) => w.apiCpuMs));
    const data = {
      benchmark: 'api',
      quick,
      machine: machine(),
      setup: {
        dynamoDb: stack.ddb.engine,
        s3: 's3rver',
        seededThrough:
          'the API: POST /api/employees, then PUT /api/employees/:id/photo (sharp, S3)',
        durationS,
        walkRepeats,
        pageSize,
        api: 'packages/api/dist/main.js, default settings (LOG_LEVEL info, request log to /dev/null)',
        loadGenerator: 'autocannon (programmatic) in the benchmark process, on the same cores',
      },
      loadAverage1m: { atStart: loadAtStart, atEnd: loadAverage1m() },
      seeded,
      flask,
      goals,
      htmlWalk: {
        pages: warm.pages,
        rows: warm.rows,
        photos: warm.photos,
        bytes: warm.bytes,
        medianMs: htmlWalkMs,
        medianApiCpuMs: htmlWalkCpuMs,
        all: htmlWalks,
      },
      jsonWalk: {
        pages: jsonWalks[0]?.pages,
        items: jsonWalks[0]?.items,
        medianMs: median(jsonWalks.map((w) => w.ms)),
        all: jsonWalks,
      },
      runs,
      sequential,
      direct: directResults,
      benchMs: 0,
      summaryMarkdown: '',
    };
    data.benchMs = performance.now() - startedMs;
    const { full, summary } = markdown(data);
    data.summaryMarkdown = summary;
    writeResults('api', data, full);
    writeSummary();
  } finally {
    await stack.stop();
    await stopAll();
  }
}

/** @param {number} value */
const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : '–');

/** @param {any} data */
function markdown(data) {
  const runTable = markdownTable(
    [
      'request',
      'connections',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors / non-2xx',
      'API CPU % (ms/request)',
      'DynamoDB stand-in CPU % (ms/request)',
      'autocannon / other CPU %',
    ],
    data.runs.map((/** @type {any} */ r) => [
      r.label,
      r.connections,
      Math.round(r.requestsPerS),
      ms(r.p50Ms),
      ms(r.p99Ms),
      `${r.errors + r.timeouts} / ${r.non2xx}`,
      `${Math.round(r.apiCorePercent)} (${r.apiCpuMsPerRequest.toFixed(1)})`,
      `${Math.round(r.standinCorePercent)} (${r.standinCpuMsPerRequest.toFixed(1)})`,
      `${Math.round(r.loadGeneratorCorePercent)} / ${Math.round(r.otherCorePercent)}`,
    ]),
  );
  const d = data.direct;
  const first16 = data.runs.find((/** @type {any} */ r) => r.path === '/' && r.connections === 16);
  const seq = data.sequential;
  const walk = data.htmlWalk;
  const standinTable = markdownTable(
    ['same work', 'through the API', 'SDK straight to the stand-in', "API's share"],
    [
      [
        `first page (${data.setup.pageSize} + 1 items), one at a time: p50 ms`,
        ms(seq.firstPage.p50Ms),
        ms(d.firstPageSequential.p50Ms),
        ms(seq.firstPage.p50Ms - d.firstPageSequential.p50Ms),
      ],
      [
        'limit=100 page, one at a time: p50 ms',
        ms(seq.jsonPage100.p50Ms),
        ms(d.page100Sequential.p50Ms),
        ms(seq.jsonPage100.p50Ms - d.page100Sequential.p50Ms),
      ],
      [
        'first page, 16 at a time: req/s',
        Math.round(first16.requestsPerS),
        Math.round(d.firstPage16.requestsPerS),
        '–',
      ],
      [
        `every HTML page in turn (${walk.pages} pages): ms`,
        ms(walk.medianMs),
        ms(d.walkMs),
        ms(walk.medianMs - d.walkMs),
      ],
      [
        `every JSON page, limit=100 (${data.jsonWalk.pages} pages): ms`,
        ms(data.jsonWalk.medianMs),
        ms(d.walk100Ms),
        ms(data.jsonWalk.medianMs - d.walk100Ms),
      ],
    ],
  );
  const wholeSpeedup = flask.cpuMsPerView / walk.medianMs;
  const cpuSpeedup = flask.cpuMsPerView / walk.medianApiCpuMs;
  const verdict = (/** @type {boolean} */ met) => (met ? 'met' : 'missed');
  const firstPageMet =
    first16.requestsPerS >= goals.firstPageRps && first16.p99Ms < goals.firstPageP99Ms;
  const comparison = [
    `Compared with the original Flask sample (all 1000 employees on one page, ${flask.cpuMsPerView} ms of CPU per view, ${flask.requestsPerS} views/s on 2 cores):`,
    '',
    `- **Opening the directory** (what a person waits for): the first page takes ${ms(first16.p50Ms)} ms (p50) at 16 connections and the API serves ${Math.round(first16.requestsPerS)} of them a second — ${Math.round(first16.requestsPerS / flask.requestsPerS)}× the Flask sample's ${flask.requestsPerS} views/s. Goal ≥ ${goals.firstPageRps} req/s with p99 < ${goals.firstPageP99Ms} ms: ${verdict(firstPageMet)} (${Math.round(first16.requestsPerS)} req/s, p99 ${ms(first16.p99Ms)} ms).`,
    `- **The whole directory** (all ${walk.rows} employees, ${walk.photos} photos): walking all ${walk.pages} HTML pages one after another takes ${ms(walk.medianMs)} ms of wall time (median of ${data.setup.walkRepeats}), of which the API process used ${ms(walk.medianApiCpuMs)} ms of CPU. Against the single ${flask.cpuMsPerView} ms render the walk is ${wholeSpeedup.toFixed(1)}× as fast in wall time and ${cpuSpeedup.toFixed(1)}× as cheap in the API's CPU. Goal ≥ ${goals.speedup}× (the whole directory in ≤ ${flask.cpuMsPerView / goals.speedup} ms): ${verdict(wholeSpeedup >= goals.speedup)} on wall time, ${verdict(cpuSpeedup >= goals.speedup)} on CPU. The CPU figure is the like-for-like one (the Flask figure is CPU per request); wall time includes ${walk.pages} sequential round trips to the DynamoDB stand-in, which alone take ${ms(d.walkMs)} ms when issued straight through the SDK — so ≤ ${flask.cpuMsPerView / goals.speedup} ms is out of reach for any page-by-page walk on these stand-ins. Through the JSON API at limit=100 (${data.jsonWalk.pages} pages) the whole directory takes ${ms(data.jsonWalk.medianMs)} ms: ${(flask.cpuMsPerView / data.jsonWalk.medianMs).toFixed(1)}× as fast as the single render.`,
  ].join('\n');
  const header = `DynamoDB stand-in: ${data.setup.dynamoDb}; S3 stand-in: s3rver. ${data.seeded.employees} employees seeded through the API (${data.seeded.withPhotos} with a photo, resized by the API's sharp pipeline and stored in S3) in ${(data.seeded.createMs / 1000).toFixed(1)} s + ${(data.seeded.photosMs / 1000).toFixed(1)} s. HTML page size ${data.setup.pageSize}; photo URLs are presigned once and cached by the API. autocannon, ${data.setup.durationS} s per run, in the benchmark process on the same ${data.machine.cores} cores as the API and the stand-ins (1-min load average ${data.loadAverage1m.atStart} at the start). CPU % is of one core; "other" is what the rest of the machine used meanwhile; a run during which that exceeded ${disturbedCorePercent} % was repeated once and the less disturbed kept (${data.runs.filter((/** @type {any} */ r) => r.attempts > 1).length} of ${data.runs.length} were).`;
  const full = [
    '## bench:api — the directory against the local stand-ins',
    '',
    header,
    '',
    runTable,
    '',
    "The stand-in's own cost: the same DynamoDB query (byName index, page size + 1) issued straight through the SDK from the benchmark process; one at a time, so the difference is the API's own time per request.",
    '',
    standinTable,
    '',
    comparison,
    '',
    `Measured on ${data.machine.cores} cores, Node ${data.machine.node}, ${data.machine.measuredAt}.`,
  ].join('\n');
  const summary = [header, '', runTable, '', standinTable, '', comparison].join('\n');
  return { full, summary };
}

const sizesArg = process.argv.includes('--sizes')
  ? process.argv[process.argv.indexOf('--sizes') + 1]
  : undefined;
const sizes = (sizesArg ?? '1000,10000,100000').split(',').map(Number);
if (!process.argv.includes('--scale-only')) await main();
if (!process.argv.includes('--no-scale')) {
  try {
    await runScale({ sizes, durationS, engine });
  } finally {
    await stopAll();
  }
}
