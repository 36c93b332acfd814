// The whole stack on loopback, as `npm start` and the browser test run it: DynamoDB and S3
// stand-ins, the IMDSv2 simulator, the STS stand-in, the imds-cache daemon with a clients file
// (`api`, and the read-only example `reports`), and the API, which gets the `api` client's scoped
// credentials only from the daemon (no keys in its environment, no IMDS access, no instance role).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { standinEnv, startChild } from './child-process.js';
import { startDynamoDb } from './dynamodb.js';
import { freeLoopbackPort } from './free-port.js';
import {
  createBucketIfMissing,
  createTableIfMissing,
  dynamoDbClientConfig,
  s3ClientConfig,
} from './local-aws.js';
import { localClients } from './local-stack-clients.js';
import { startOidcProvider } from './oidc-provider.js';
import { startS3 } from './s3.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * @typedef {{ dataDir: string, dynamoDbEngine?: 'dynalite' | 'dynamodb-local' | 'auto',
 *   apiPort?: number, cachePort?: number, cacheOpsPort?: number,
 *   tableName?: string, bucket?: string, region?: string }} LocalStackOptions
 * @typedef {import('./local-stack-clients.js').LocalClient} LocalClient
 * @typedef {{ apiUrl: string, cacheUrl: string, cacheOpsUrl: string, tokenFile: string,
 *   clients: LocalClient[], stsUrl: string, imdsUrl: string, dynamoDbEndpoint: string, dynamoDbEngine: string, s3Endpoint: string,
 *   tableName: string, bucket: string, region: string,
 *   oidc: Omit<import('./oidc-provider.js').OidcStandin, 'stop'>,
 *   stop: () => Promise<void> }} LocalStack
 */

/** Environment variables that could hand the API credentials other than the daemon's. */
const CREDENTIAL_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
];

/** @param {NodeJS.ProcessEnv} extra */
function childEnv(extra) {
  /** @type {NodeJS.ProcessEnv} */
  const env = standinEnv({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra });
  for (const key of CREDENTIAL_ENV) if (!(key in extra)) delete env[key];
  return env;
}

/**
 * Starts every part, in dependency order; on any failure stops what already started.
 * @param {LocalStackOptions} options
 * @returns {Promise<LocalStack>}
 */
export async function startLocalStack(options) {
  const tableName = options.tableName ?? 'empdir-local-employees';
  const bucket = options.bucket ?? 'empdir-local-photos';
  const region = options.region ?? 'us-east-1';
  /** @type {Array<() => Promise<void>>} */
  const stops = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne().catch(() => {});
  };
  try {
    for (const dir of ['dynamodb', 's3', 'imds-cache'])
      mkdirSync(join(options.dataDir, dir), { recursive: true });
    const ddb = await startDynamoDb({
      engine: options.dynamoDbEngine ?? 'dynalite',
      dataDir: join(options.dataDir, 'dynamodb'),
    });
    stops.push(ddb.stop);
    const s3 = await startS3({ dataDir: join(options.dataDir, 's3') });
    stops.push(s3.stop);
    await createTableIfMissing(dynamoDbClientConfig(ddb), tableName);
    await createBucketIfMissing(s3ClientConfig(s3), bucket);

    // Random instance keys: the instance role only signs AssumeRole, it never reaches S3.
    const imds = await startChild({
      name: 'imds-simulator',
      command: process.execPath,
      args: [join(root, 'test/support/imds-simulator.js'), '--port', '0'],
      env: childEnv({}),
    });
    stops.push(imds.stop);

    const clients = localClients(join(options.dataDir, 'imds-cache', 'clients'));
    // The stand-in checks each AssumeRole's signature against the instance keys IMDS served, and
    // gives the client sessions s3rver's key id, the only one the S3 stand-in accepts.
    const sts = await startChild({
      name: 'sts-simulator',
      command: process.execPath,
      args: [
        join(root, 'test/support/sts-simulator.js'),
        '--port',
        '0',
        '--trust-imds',
        imds.value.url,
        ...clients.flatMap((client) => ['--role', client.roleArn]),
        ...clients.flatMap((client) => ['--issue-key-id', `${client.roleArn}=S3RVER`]),
      ],
      env: childEnv({}),
    });
    stops.push(sts.stop);
    const clientsFile = join(options.dataDir, 'imds-cache', 'clients.json');
    writeFileSync(
      clientsFile,
      `${JSON.stringify({ clients: clients.map((client) => client.spec) }, null, 2)}\n`,
    );
    const apiClient = /** @type {LocalClient} */ (clients.find((client) => client.name === 'api'));

    const tokenFile = join(options.dataDir, 'imds-cache', 'token');
    const cachePort = options.cachePort ?? (await freeLoopbackPort());
    const cacheOpsPort = options.cacheOpsPort ?? (await freeLoopbackPort());
    const cache = await startChild({
      name: 'imds-cache',
      command: process.execPath,
      args: [join(root, 'packages/imds-cache/dist/main.js')],
      env: childEnv({
        IMDS_CACHE_IMDS_ENDPOINT: imds.value.url,
        IMDS_CACHE_LISTEN: `127.0.0.1:${cachePort}`,
        IMDS_CACHE_OPS_LISTEN: `127.0.0.1:${cacheOpsPort}`,
        IMDS_CACHE_TOKEN_FILE: tokenFile,
        IMDS_CACHE_CLIENTS_FILE: clientsFile,
        IMDS_CACHE_STS_ENDPOINT: sts.value.url,
        // As deployed: no local process holds the instance role, each client gets its own.
        IMDS_CACHE_SERVE_INSTANCE_ROLE: 'off',
      }),
    });
    stops.push(cache.stop);
    const cacheUrl = `http://127.0.0.1:${cachePort}/v1/credentials`;

    // The identity provider runs in this process: its demo passwords never leave it but by the caller.
    const oidc = await startOidcProvider();
    stops.push(oidc.stop);

    const apiPort = options.apiPort ?? (await freeLoopbackPort());
    const api = await startChild({
      name: 'api',
      command: process.execPath,
      args: [join(root, 'packages/api/dist/main.js')],
      env: childEnv({
        TABLE_NAME: tableName,
        PHOTOS_BUCKET: bucket,
        AWS_REGION: region,
        DYNAMODB_ENDPOINT: ddb.endpoint,
        S3_ENDPOINT: s3.endpoint,
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        // Only the names this stack is reached by: a rebound DNS name is refused (421).
        TRUSTED_HOSTS: `127.0.0.1:${apiPort},localhost:${apiPort}`,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: cacheUrl,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: apiClient.tokenFile,
        OIDC_ISSUER: oidc.issuer,
        OIDC_CLIENT_ID: oidc.clientId,
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        // Only the daemon may answer: the SDK must not go around it to an instance metadata service.
        AWS_EC2_METADATA_DISABLED: 'true',
      }),
    });
    stops.push(api.stop);

    return {
      apiUrl: api.value.url,
      cacheUrl,
      cacheOpsUrl: `http://127.0.0.1:${cacheOpsPort}`,
      tokenFile,
      clients,
      stsUrl: sts.value.url,
      imdsUrl: imds.value.url,
      dynamoDbEndpoint: ddb.endpoint,
      dynamoDbEngine: ddb.engine,
      s3Endpoint: s3.endpoint,
      tableName,
      bucket,
      region,
      oidc: {
        issuer: oidc.issuer,
        clientId: oidc.clientId,
        users: oidc.users,
        clients: oidc.clients,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
