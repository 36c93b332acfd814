// "Done when": a process with nothing but the two container-credentials variables (no keys, no
// profile, IMDS disabled) signs S3 requests with the daemon's credentials, against s3rver.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startS3 } from '../support/s3.js';
import { startStack } from './imds-cache-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The client: default credentials only; the endpoint comes as an argument, not from the env.
const CLIENT = `
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
const [endpoint, key] = process.argv.slice(1);
const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
const body = 'signed with credentials from imds-cache';
await s3.send(new CreateBucketCommand({ Bucket: 'imds-cache-proof' })).catch(() => undefined);
await s3.send(new PutObjectCommand({ Bucket: 'imds-cache-proof', Key: key, Body: body }));
const got = await s3.send(new GetObjectCommand({ Bucket: 'imds-cache-proof', Key: key }));
const credentials = await s3.config.credentials();
console.log(JSON.stringify({
  body: await got.Body.transformToString(),
  accessKeyId: credentials.accessKeyId,
  awsEnv: Object.keys(process.env).filter((name) => name.startsWith('AWS_')).sort(),
}));
`;

t.test('a keyless child process puts and gets an S3 object through the daemon', async (t) => {
  const s3 = await startS3();
  t.teardown(() => s3.stop());
  // s3rver accepts only the access key id S3RVER, so the simulator hands out exactly that.
  const stack = await startStack(t, { sim: { accessKeyId: 'S3RVER' } });
  const home = await mkdtemp(join(tmpdir(), 'imds-cache-home-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  stack.sim.resetCounters();

  const child = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, s3.endpoint, 'k1'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.daemon.url}/v1/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: stack.daemon.tokenFile,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.once('close', resolve));
  t.equal(code, 0, stderr);
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  t.equal(result.body, 'signed with credentials from imds-cache', 'put then get the object');
  t.equal(result.accessKeyId, 'S3RVER', 'the credentials came from the daemon');
  t.same(result.awsEnv, [
    'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_EC2_METADATA_DISABLED',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  ]);
  t.equal(stack.sim.counters().total, 0, 'served from the cache: no IMDS call');
});
