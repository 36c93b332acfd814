// bench:api's stack: the DynamoDB and S3 stand-ins, the API as operators run it (its built
// main.js in its own process), and a directory seeded through the API's own JSON endpoints.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDb } from '../support/dynamodb.js';
import {
  createBucketIfMissing,
  createTableIfMissing,
  dynamoDbClientConfig,
  localAwsCredentials,
  s3ClientConfig,
} from '../support/local-aws.js';
import { clientCredentialsToken, startOidcProvider } from '../support/oidc-provider.js';
import { startS3 } from '../support/s3.js';
import { gradientPng } from './png.mjs';
import { freePort, runPool, spawnTracked, stopChild, waitForHttpOk } from './processes.mjs';
import { repoRoot } from './report.mjs';

export const TABLE_NAME = 'EmployeesBench';
export const PHOTOS_BUCKET = 'empdir-bench-photos';
const apiMain = join(repoRoot, 'packages', 'api', 'dist', 'main.js');

const FIRST = [
  'Ana',
  'Bo',
  'Chen',
  'Dara',
  'Eli',
  'Femi',
  'Gita',
  'Hugo',
  'Ines',
  'Jon',
  'Kira',
  'Lev',
];
const LAST = ['Okafor', 'Silva', 'Nguyen', 'Haas', 'Kowalski', 'Moreau', 'Tanaka', 'Reyes', 'Berg'];
const PLACES = ['Seattle', 'Dublin', 'Tokyo', 'São Paulo', 'Sydney', 'Cape Town', 'Berlin'];
const TITLES = ['Engineer', 'Designer', 'Manager', 'Analyst', 'Writer', 'Support Lead'];
const BADGES = ['apple', 'linux', 'coffee', 'bug', 'plane', 'trophy', 'camera', 'gamepad'];

/** @param {number} i */
export function employeeInput(i) {
  return {
    fullName: `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]} ${i}`,
    location: PLACES[i % PLACES.length],
    jobTitle: TITLES[(i * 5) % TITLES.length],
    badges: BADGES.filter((_, b) => (i >> b) & 1).slice(0, 3),
  };
}

/**
 * Starts the stand-ins and the API; `stop()` stops all three. `env` adds to the API's environment.
 * @param {{ engine?: 'auto' | 'dynalite' | 'dynamodb-local', env?: Record<string, string> }} [options]
 */
export async function startApiStack({ engine = 'auto', env = {} } = {}) {
  const ddb = await startDynamoDb({ engine });
  const s3 = await startS3().catch(async (error) => {
    await ddb.stop();
    throw error;
  });
  // The API trusts this provider; the benchmark calls it with the demo machine client's token.
  const oidc = await startOidcProvider().catch(async (error) => {
    await Promise.all([ddb.stop(), s3.stop()]);
    throw error;
  });
  const home = mkdtempSync(join(tmpdir(), 'empdir-bench-api-'));
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let api;
  const stop = async () => {
    if (api) await stopChild(api, 12_000);
    await Promise.all([ddb.stop(), s3.stop(), oidc.stop()]);
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await createTableIfMissing(dynamoDbClientConfig(ddb), TABLE_NAME);
    await createBucketIfMissing(s3ClientConfig(s3), PHOTOS_BUCKET);
    const port = await freePort();
    const credentials = localAwsCredentials();
    api = spawnTracked(process.execPath, [apiMain], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        TABLE_NAME,
        PHOTOS_BUCKET,
        AWS_REGION: ddb.region,
        DYNAMODB_ENDPOINT: ddb.endpoint,
        S3_ENDPOINT: s3.endpoint,
        HOST: '127.0.0.1',
        PORT: String(port),
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        OIDC_ISSUER: oidc.issuer,
        OIDC_CLIENT_ID: oidc.clientId,
        // The stand-ins' key pair, built at run time; s3rver accepts no other.
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        ...env,
      },
      // Its request log (one line per request at the default level) goes nowhere.
      stdout: 'ignore',
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttpOk(`${url}/readyz`, { timeoutMs: 30_000, child: api });
    const [machine] = oidc.clients;
    if (!machine) throw new Error('the local OpenID provider has no machine client');
    // Valid for an hour: longer than a full benchmark run.
    const token = await clientCredentialsToken(oidc.issuer, machine);
    /** @type {Record<string, string>} */
    const headers = { authorization: `Bearer ${token}` };
    return { url, apiPid: /** @type {number} */ (api.pid), ddb, s3, headers, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Seeds `count` employees through POST /api/employees and gives `withPhotos` of them a photo
 * through PUT /api/employees/:id/photo (the API resizes it with sharp and stores it in S3).
 * @param {string} url
 * @param {{ count: number, withPhotos: number, concurrency: number }} plan
 * @param {Record<string, string>} auth the credentials (Authorization) of an editor
 */
export async function seedThroughApi(url, { count, withPhotos, concurrency }, auth) {
  const startedMs = performance.now();
  const ids = await runPool(count, concurrency, async (i) => {
    const res = await fetch(`${url}/api/employees`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(employeeInput(i)),
    });
    const body = await res.json();
    if (res.status !== 201)
      throw new Error(`POST /api/employees answered ${res.status}: ${JSON.stringify(body)}`);
    return /** @type {string} */ (body.id);
  });
  const createdMs = performance.now() - startedMs;
  // Spread the photos over the whole alphabet, as in a real directory.
  const step = count / withPhotos;
  const photoIds = Array.from({ length: withPhotos }, (_, k) => ids[Math.floor(k * step)]);
  await runPool(photoIds.length, concurrency, async (k) => {
    const res = await fetch(`${url}/api/employees/${photoIds[k]}/photo`, {
      method: 'PUT',
      headers: { 'content-type': 'image/png', ...auth },
      body: gradientPng({ width: 240, height: 320, hue: (k * 37) % 360 }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`PUT photo answered ${res.status}`);
  });
  return {
    employees: count,
    withPhotos: photoIds.length,
    createMs: createdMs,
    photosMs: performance.now() - startedMs - createdMs,
  };
}
