// The one-page view's cost: CPU the API process spends per GET /everyone, read from /proc (not
// wall time). bench:api calls measureEveryone; run alone it seeds its own stack:
//   node test/load/api-everyone.mjs [--views N] [--count 1000]
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BADGE_KEYS, EMPLOYEE_TABLE, sortNameFor } from '../../packages/shared/dist/index.js';
import { dynamoDbClientConfig, s3ClientConfig } from '../support/local-aws.js';
import { median } from './api-measure.mjs';
import { employeeInput, PHOTOS_BUCKET, startApiStack, TABLE_NAME } from './api-stack.mjs';
import { gradientPng } from './png.mjs';
import { procSample } from './proc-stats.mjs';
import { runPool, stopAll } from './processes.mjs';

/** The goal: 20× less than the Flask sample's 270 ms for the same page. */
export const EVERYONE_GOAL_CPU_MS = 13.5;

/**
 * The pid of the process listening on a loopback TCP port, from /proc/net/tcp and fd links.
 * @param {number} port
 */
export function pidListeningOn(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // State 0A is LISTEN; the local address ends in :PORT.
      if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A') inodes.add(cols[9]);
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        const link = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (inodes.has(/^socket:\[(\d+)\]$/.exec(link)?.[1])) return Number(entry);
      }
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  throw new Error(`no process of ours listens on port ${port}`);
}

/**
 * GET /everyone `views` times, one at a time, and the API process's CPU per view (user + system,
 * from /proc/<pid>/stat) — the median of `rounds` rounds, after warm-up views.
 * @param {string} baseUrl
 * @param {Record<string, string>} headers credentials of a viewer or above
 * @param {{ apiPid?: number, views?: number, rounds?: number, warmup?: number }} [options]
 */
export async function measureEveryone(baseUrl, headers, options = {}) {
  const apiPid = options.apiPid ?? pidListeningOn(Number(new URL(baseUrl).port));
  const { views = 20, rounds = 5, warmup = 5 } = options;
  const view = async () => {
    const res = await fetch(`${baseUrl}/everyone`, { headers });
    const html = await res.text();
    if (res.status !== 200) throw new Error(`GET /everyone answered ${res.status}`);
    return html;
  };
  let html = '';
  for (let i = 0; i < warmup; i++) html = await view();
  const perRound = [];
  const wallPerRound = [];
  for (let r = 0; r < rounds; r++) {
    const before = procSample(apiPid);
    for (let i = 0; i < views; i++) await view();
    const after = procSample(apiPid);
    perRound.push((after.cpuMs - before.cpuMs) / views);
    wallPerRound.push((after.atMs - before.atMs) / views);
  }
  return {
    rows: (html.match(/<tr>/g) ?? []).length,
    photos: (html.match(/<img /g) ?? []).length,
    bytes: Buffer.byteLength(html),
    views: views * rounds,
    cpuMsPerView: median(perRound),
    cpuMsPerViewRounds: perRound,
    wallMsPerView: median(wallPerRound),
    goalCpuMs: EVERYONE_GOAL_CPU_MS,
    met: median(perRound) <= EVERYONE_GOAL_CPU_MS,
  };
}

/**
 * Writes `count` employees straight into the table (batch writes), every other one with a photo
 * object in the bucket, as the API itself would have stored them.
 * @param {{ ddb: { endpoint: string, region: string }, s3: { endpoint: string, region: string } }} stack
 * @param {number} count
 */
export async function seedStraight(stack, count) {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(dynamoDbClientConfig(stack.ddb)));
  const s3 = new S3Client(s3ClientConfig(stack.s3));
  const png = gradientPng({ width: 120, height: 160, hue: 200 });
  const at = new Date().toISOString();
  const index = EMPLOYEE_TABLE.byNameIndex;
  const items = Array.from({ length: count }, (_, i) => {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const input = employeeInput(i);
    // Badges in display order, as the API's schema stores them.
    input.badges = BADGE_KEYS.filter((key) => input.badges.includes(key));
    const photoKey =
      i % 2 === 0 ? `employee-pic/${i.toString(16).padStart(32, '0')}.png` : undefined;
    return {
      id,
      ...input,
      ...(photoKey ? { photoKey } : {}),
      createdAt: at,
      updatedAt: at,
      version: 1,
      [index.partitionKey]: index.listKeyValue,
      [index.sortKey]: sortNameFor(input.fullName, id),
    };
  });
  try {
    await runPool(Math.ceil(count / 25), 4, async (b) => {
      let pending = items.slice(b * 25, b * 25 + 25).map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const out = await doc.send(
          new BatchWriteCommand({ RequestItems: { [TABLE_NAME]: pending } }),
        );
        pending = /** @type {any} */ (out.UnprocessedItems?.[TABLE_NAME] ?? []);
      }
    });
    const withPhotos = items.filter((item) => item.photoKey);
    await runPool(withPhotos.length, 8, async (k) => {
      const key = /** @type {string} */ (withPhotos[k]?.photoKey);
      await s3.send(
        new PutObjectCommand({
          Bucket: PHOTOS_BUCKET,
          Key: key,
          Body: png,
          ContentType: 'image/png',
        }),
      );
    });
    return { employees: count, withPhotos: withPhotos.length };
  } finally {
    doc.destroy();
    s3.destroy();
  }
}

async function main() {
  const arg = (/** @type {string} */ name, /** @type {number} */ fallback) =>
    process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback;
  const count = arg('--count', 1000);
  const views = arg('--views', 20);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  console.log('starting the stand-ins and the API…');
  const stack = await startApiStack();
  try {
    console.log(`seeding ${count} employees (half with photos) straight into the stand-ins…`);
    const seeded = await seedStraight(stack, count);
    const result = await measureEveryone(stack.url, stack.headers, { apiPid: stack.apiPid, views });
    console.log(JSON.stringify({ seeded, ...result }, null, 2));
    console.log(
      `GET /everyone: ${result.rows} rows, ${result.photos} photos, ${(result.bytes / 1024).toFixed(0)} KB; ` +
        `API CPU ${result.cpuMsPerView.toFixed(1)} ms per view (goal ≤ ${EVERYONE_GOAL_CPU_MS} ms: ` +
        `${result.met ? 'met' : 'missed'}), wall ${result.wallMsPerView.toFixed(1)} ms`,
    );
  } finally {
    await stack.stop();
    await stopAll();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
