#!/usr/bin/env node
// `npm start`: the whole stack on loopback with data under .local/, until Ctrl-C.
// Options: --seed N (add N sample employees), --port P (API port, default 8080).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalStack } from './local-stack.js';
import { seedEmployees } from './sample-employees.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let values;
try {
  ({ values } = parseArgs({
    options: {
      seed: { type: 'string', default: '0' },
      port: { type: 'string', default: '8080' },
      'cache-port': { type: 'string', default: '9911' },
      'cache-ops-port': { type: 'string', default: '9912' },
    },
  }));
} catch (error) {
  console.error(`npm start: ${error instanceof Error ? error.message : error}`);
  console.error(
    'usage: npm start -- [--seed N] [--port 8080] [--cache-port 9911] [--cache-ops-port 9912]',
  );
  process.exit(2);
}
const number = (
  /** @type {string} */ name,
  /** @type {string} */ raw,
  /** @type {number} */ max,
) => {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > max) {
    console.error(`npm start: --${name} must be a whole number up to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return value;
};
const seed = number('seed', values.seed, 5000);
const options = {
  dataDir: join(root, '.local'),
  apiPort: number('port', values.port, 65535),
  cachePort: number('cache-port', values['cache-port'], 65535),
  cacheOpsPort: number('cache-ops-port', values['cache-ops-port'], 65535),
};

console.log(
  'Starting the local stack (DynamoDB and S3 stand-ins, IMDSv2 simulator, imds-cache, API)…',
);
const stack = await startLocalStack(options).catch((error) => {
  console.error(
    `npm start: could not start the stack: ${error instanceof Error ? error.message : error}`,
  );
  console.error(
    'If a port is taken, pick others: npm start -- --port 8081 --cache-port 9921 --cache-ops-port 9922',
  );
  process.exit(1);
});

let stopping = false;
const stop = async (/** @type {string} */ why) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${why}: stopping every process…`);
  await stack.stop();
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop('Ctrl-C'));
process.on('SIGTERM', () => void stop('SIGTERM'));

if (seed > 0) {
  console.log(`Adding ${seed} sample employees (every other one with a photo)…`);
  try {
    await seedEmployees(stack.apiUrl, seed);
  } catch (error) {
    console.error(`npm start: seeding failed: ${error instanceof Error ? error.message : error}`);
  }
}

console.log(`
Employee directory:   ${stack.apiUrl}/
JSON API and docs:    ${stack.apiUrl}/api/employees   ${stack.apiUrl}/docs
Credential cache:     ${stack.cacheUrl}   metrics: ${stack.cacheOpsUrl}/metrics
DynamoDB (${stack.dynamoDbEngine}): ${stack.dynamoDbEndpoint}   S3 (s3rver): ${stack.s3Endpoint}   IMDSv2 simulator: ${stack.imdsUrl}

Point any AWS SDK or CLI on this machine at the cache (no keys needed):
  export AWS_CONTAINER_CREDENTIALS_FULL_URI=${stack.cacheUrl}
  export AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${stack.tokenFile}

Data is kept under .local/ between runs. Press Ctrl-C to stop everything.`);
