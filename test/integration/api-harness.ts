// Starts the API's AWS stand-ins (DynamoDB Local or dynalite, and s3rver) for one test file, and
// the API itself on 127.0.0.1:0 through the real SDK. Not a test file itself.
import { randomBytes } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import {
  type ApiConfig,
  type CreateDepsOptions,
  loadConfig,
  startServer,
} from '../../packages/api/src/index.js';
import { type DynamoDbEngine, type DynamoDbStandin, startDynamoDb } from '../support/dynamodb.js';
import {
  createBucketIfMissing,
  createTableIfMissing,
  dynamoDbClientConfig,
  localAwsCredentials,
  s3ClientConfig,
} from '../support/local-aws.js';
import { signInThroughProvider } from '../support/oidc-login.js';
import {
  clientCredentialsToken,
  type OidcStandin,
  startOidcProvider,
} from '../support/oidc-provider.js';
import { type S3Standin, startS3 } from '../support/s3.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const TABLE_NAME = 'Employees';
export const PHOTOS_BUCKET = 'employee-photos';

export interface ApiStandins {
  readonly ddb: DynamoDbStandin;
  readonly s3: S3Standin;
  /** The OpenID provider the API trusts, with its demo users and machine client. */
  readonly oidc: OidcStandin;
  /** An access token of the demo machine client (role editor); api() sends it by default. */
  readonly token: string;
  /** The same, for a machine client with the admin role. */
  readonly adminToken: string;
  /** A plain S3 client on the stand-in, for looking at what the API stored. */
  readonly s3Client: S3Client;
  /** The API's configuration against these stand-ins; `env` overrides single keys. */
  config(env?: Record<string, string>): ApiConfig;
  stop(): Promise<void>;
}

/**
 * One DynamoDB and one S3 stand-in, with the table and bucket created. dynalite by default: it
 * starts in half a second where DynamoDB Local's JVM takes about five seconds of CPU, and most
 * files test the API, not DynamoDB. api-employees and the search-store tests run on DynamoDB Local.
 */
export async function startApiStandins(
  options: { engine?: DynamoDbEngine | 'auto' } = {},
): Promise<ApiStandins> {
  const [ddb, s3, oidc] = await Promise.all([
    startDynamoDb({ engine: options.engine ?? 'dynalite' }),
    startS3(),
    startOidcProvider({ machineRoles: ['editor', 'admin', 'viewer'] }),
  ]);
  const tokenOf = async (role: string) => {
    const client = oidc.clients.find((c) => c.role === role);
    if (!client) throw new Error(`the OpenID provider has no ${role} machine client`);
    return clientCredentialsToken(oidc.issuer, client);
  };
  const token = await tokenOf('editor');
  const adminToken = await tokenOf('admin');
  defaultToken = token;
  await Promise.all([
    createTableIfMissing(dynamoDbClientConfig(ddb), TABLE_NAME),
    createBucketIfMissing(s3ClientConfig(s3), PHOTOS_BUCKET),
  ]);
  const s3Client = new S3Client(s3ClientConfig(s3));
  const sessionSecret = randomBytes(32).toString('base64url');
  return {
    ddb,
    s3,
    oidc,
    token,
    adminToken,
    s3Client,
    config: (env = {}) =>
      loadConfig({
        TABLE_NAME,
        PHOTOS_BUCKET,
        AWS_REGION: ddb.region,
        DYNAMODB_ENDPOINT: ddb.endpoint,
        S3_ENDPOINT: s3.endpoint,
        PORT: '0',
        LOG_LEVEL: 'silent',
        SESSION_SECRET: sessionSecret,
        OIDC_ISSUER: oidc.issuer,
        OIDC_CLIENT_ID: oidc.clientId,
        // Stopped stand-ins should fail fast in the outage tests.
        AWS_TIMEOUT_MS: '2000',
        ...env,
      }),
    async stop() {
      s3Client.destroy();
      await Promise.all([ddb.stop(), s3.stop(), oidc.stop()]);
    },
  };
}

/** The API on a real socket against the stand-ins, with the stand-ins' fixed credentials. */
export function startApi(
  standins: ApiStandins,
  env: Record<string, string> = {},
  options: CreateDepsOptions = {},
) {
  return startServer(standins.config(env), { credentials: localAwsCredentials(), ...options });
}

let defaultToken: string | undefined;

/** JSON helper for the API over the network; it sends the machine client's token unless told otherwise. */
export async function api(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(defaultToken ? { authorization: `Bearer ${defaultToken}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { res, status: res.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * A FakeBrowser transport over the network whose requests carry a real session: `role`'s demo
 * user signed in through the provider's login form (the authorization code flow, end to end).
 */
export async function signedInTransport(
  standins: ApiStandins,
  baseUrl: string,
  role: 'admin' | 'editor' | 'viewer' = 'admin',
) {
  const user = standins.oidc.users.find((u) => u.role === role);
  if (!user) throw new Error(`no demo user with role ${role}`);
  const { jar } = await signInThroughProvider(baseUrl, user);
  return {
    request(url: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      headers.set('cookie', [jar.header(), headers.get('cookie')].filter(Boolean).join('; '));
      return fetch(url, { ...init, headers, redirect: 'manual' });
    },
  };
}
