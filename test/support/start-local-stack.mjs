#!/usr/bin/env node
// `npm start`: the whole stack on loopback with data under .local/, until Ctrl-C.
// Options: --seed N (add N sample employees), --port P (API port, default 8080).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalStack } from './local-stack.js';
import { clientCredentialsToken } from './oidc-provider.js';
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

const dataDir = options.dataDir;
mkdirSync(dataDir, { recursive: true });
/** Writes a file only its owner may read: it holds passwords or paths to secrets. */
const writePrivate = (/** @type {string} */ name, /** @type {string} */ text) => {
  const path = join(dataDir, name);
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
};
const { oidc } = stack;
const accountsFile = writePrivate(
  'demo-accounts.json',
  `${JSON.stringify({ issuer: oidc.issuer, users: oidc.users, clients: oidc.clients }, null, 2)}\n`,
);
const apiClient = stack.clients.find((client) => client.name === 'api');
const quote = (/** @type {string} */ value) => `'${value.replaceAll("'", "'\\''")}'`;
const stackEnv = {
  TABLE_NAME: stack.tableName,
  PHOTOS_BUCKET: stack.bucket,
  AWS_REGION: stack.region,
  DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
  S3_ENDPOINT: stack.s3Endpoint,
  // The AWS CLI and SDKs read service endpoints from these.
  AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoDbEndpoint,
  AWS_ENDPOINT_URL_S3: stack.s3Endpoint,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: stack.cacheUrl,
  // The main token serves nothing (IMDS_CACHE_SERVE_INSTANCE_ROLE=off): the SDKs get the API's role.
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: apiClient?.tokenFile ?? '',
  OIDC_ISSUER: oidc.issuer,
  EMPDIR_API_URL: stack.apiUrl,
};
const envFile = writePrivate(
  'stack.env',
  `${Object.entries(stackEnv)
    .map(([key, value]) => `${key}=${quote(value)}`)
    .join('\n')}\n`,
);

if (seed > 0) {
  console.log(`Adding ${seed} sample employees (every other one with a photo)…`);
  try {
    const [client] = oidc.clients;
    const token = client ? await clientCredentialsToken(oidc.issuer, client) : '';
    await seedEmployees(stack.apiUrl, seed, token);
  } catch (error) {
    console.error(`npm start: seeding failed: ${error instanceof Error ? error.message : error}`);
  }
}

const [machine] = oidc.clients;
console.log(`
Employee directory:   ${stack.apiUrl}/   (sign in with a demo user below)
JSON API and docs:    ${stack.apiUrl}/api/employees   ${stack.apiUrl}/docs
Identity provider:    ${oidc.issuer}   (OpenID Connect, oidc-provider)
Credential cache:     ${stack.cacheUrl}   metrics: ${stack.cacheOpsUrl}/metrics
DynamoDB (${stack.dynamoDbEngine}): ${stack.dynamoDbEndpoint}   S3 (s3rver): ${stack.s3Endpoint}
IMDSv2 simulator: ${stack.imdsUrl}   STS stand-in: ${stack.stsUrl} (its calls: ${stack.stsUrl}/__simulator/calls)

Each local client gets its own role from the credential cache (the instance role is served to no one).
Point a process at a client with these two variables:
${stack.clients
  .map(
    (
      client,
    ) => `  ${client.name} (${client.roleArn}${client.readOnly ? ', read-only session policy' : ''}):
    AWS_CONTAINER_CREDENTIALS_FULL_URI=${stack.cacheUrl} AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=${client.tokenFile}`,
  )
  .join('\n')}

Demo users (passwords are new on every start):
${oidc.users.map((u) => `  ${u.role.padEnd(7)} username ${u.username.padEnd(7)} password ${u.password}`).join('\n')}
Demo machine client (role ${machine?.role}): client id ${machine?.clientId}, secret ${machine?.clientSecret}
All of them are in ${accountsFile} (readable only by you).

A token for the JSON API, then a call with it:
  TOKEN=$(curl -s -u '${machine?.clientId}:${machine?.clientSecret}' -d grant_type=client_credentials -d scope=directory/editor ${oidc.issuer}/token | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')
  curl -H "Authorization: Bearer $TOKEN" ${stack.apiUrl}/api/employees

Point any AWS SDK or CLI on this machine at the local stack as the api client (no keys needed):
  set -a; . ${envFile}; set +a

Data is kept under .local/ between runs. Press Ctrl-C to stop everything.`);
