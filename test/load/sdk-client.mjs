// An unmodified AWS SDK v3 application: it resolves credentials through the default provider
// chain and knows nothing about IMDS or the cache; only its environment differs between runs.
//   node sdk-client.mjs once              fromNodeProviderChain() once, print one JSON line, exit 0/1
//   node sdk-client.mjs loop <ms> <gapMs> for <ms>, a new S3 client per request, <gapMs> apart
import { setTimeout as sleep } from 'node:timers/promises';

const [mode = 'once', durationArg = '0', gapArg = '0'] = process.argv.slice(2);

/** One request's worth of work as an app that builds its client per request would do it. */
async function resolveWithNewClient() {
  // Loaded here so the short-lived mode pays only for the provider chain (half the start-up CPU).
  const { S3Client } = await import('@aws-sdk/client-s3');
  const client = new S3Client({ region: 'us-east-1' });
  try {
    const credentials = await client.config.credentials();
    if (!credentials.accessKeyId) throw new Error('empty credentials');
  } finally {
    client.destroy();
  }
}

/** @param {unknown} err */
function errorName(err) {
  return err instanceof Error ? err.name || 'Error' : 'NonError';
}

if (mode === 'once') {
  const startedMs = performance.now();
  try {
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    const credentials = await fromNodeProviderChain()();
    if (!credentials.accessKeyId) throw new Error('empty credentials');
    process.stdout.write(`${JSON.stringify({ ok: true, ms: performance.now() - startedMs })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: errorName(err) })}\n`);
    process.exitCode = 1;
  }
} else if (mode === 'loop') {
  const endMs = performance.now() + Number(durationArg);
  const gapMs = Number(gapArg);
  /** @type {Record<string, number>} */
  const failures = {};
  let ok = 0;
  while (performance.now() < endMs) {
    try {
      await resolveWithNewClient();
      ok += 1;
    } catch (err) {
      const name = errorName(err);
      failures[name] = (failures[name] ?? 0) + 1;
    }
    if (gapMs > 0) await sleep(gapMs);
  }
  process.stdout.write(`${JSON.stringify({ ok, failures })}\n`);
} else {
  console.error(`unknown mode ${mode}`);
  process.exitCode = 2;
}
