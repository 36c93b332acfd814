// The daemon as the real AWS SDK for JavaScript sees it: container credentials (fromHttp,
// fromContainerMetadata, the default Node chain) and the optional IMDS facade (fromInstanceMetadata).
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import {
  fromContainerMetadata,
  fromHttp,
  fromInstanceMetadata,
} from '@aws-sdk/credential-providers';
import t, { type Test } from 'tap';
import { startStack } from './imds-cache-harness.js';

/** Sets environment variables for one test and restores them after it. */
function withEnv(t: Test, vars: Record<string, string | undefined>) {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  t.teardown(() => apply(saved));
}

/** Only the daemon can be the source: no keys, no profile files, no IMDS. */
const ISOLATED = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_AUTHORIZATION_TOKEN: undefined,
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

t.test('fromHttp with the token file reads the daemon’s credentials', async (t) => {
  const stack = await startStack(t);
  withEnv(t, ISOLATED);
  const credentials = await fromHttp({
    awsContainerCredentialsFullUri: `${stack.daemon.url}/v1/credentials`,
    awsContainerAuthorizationTokenFile: stack.daemon.tokenFile,
  })();
  const upstream = stack.sim.currentCredentials();
  t.equal(credentials.accessKeyId, upstream.AccessKeyId);
  t.equal(credentials.secretAccessKey, upstream.SecretAccessKey);
  t.equal(credentials.sessionToken, upstream.Token);
  t.equal(credentials.expiration?.toISOString().replace('.000Z', 'Z'), upstream.Expiration);
});

t.test('fromHttp without the token is refused with the daemon’s Code and Message', async (t) => {
  const stack = await startStack(t);
  withEnv(t, ISOLATED);
  const error = await fromHttp({
    awsContainerCredentialsFullUri: `${stack.daemon.url}/v1/credentials`,
    awsContainerAuthorizationToken: 'wrong-token',
    maxRetries: 0,
  })().catch((e: unknown) => e as Record<string, unknown>);
  t.match(error, { Code: 'forbidden', Message: /does not match/ });
});

t.test('fromContainerMetadata with AWS_CONTAINER_AUTHORIZATION_TOKEN', async (t) => {
  const stack = await startStack(t);
  withEnv(t, {
    ...ISOLATED,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.daemon.url}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: stack.token,
  });
  const credentials = await fromContainerMetadata()();
  t.equal(credentials.accessKeyId, stack.sim.currentCredentials().AccessKeyId);
});

t.test('the default Node provider chain, given only the two container variables', async (t) => {
  const stack = await startStack(t);
  withEnv(t, {
    ...ISOLATED,
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.daemon.url}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: stack.daemon.tokenFile,
  });
  stack.sim.resetCounters();
  const provider = defaultProvider();
  const first = await provider();
  t.equal(first.accessKeyId, stack.sim.currentCredentials().AccessKeyId);
  // The SDK caches credentials with hours left: the second call does not even reach the daemon.
  t.equal((await provider()).accessKeyId, first.accessKeyId);
  t.equal(stack.sim.counters().total, 0, 'the SDK never touched IMDS');
});

t.test('IMDS facade: IMDSv2 semantics, served from the cache (fromInstanceMetadata)', async (t) => {
  const stack = await startStack(t, {
    env: { IMDS_CACHE_IMDS_FACADE: 'on', IMDS_CACHE_FACADE_USERS: String(process.getuid?.()) },
  });
  const url = stack.daemon.url;
  stack.sim.resetCounters();

  t.equal((await fetch(`${url}/latest/meta-data/iam/security-credentials/`)).status, 401);
  t.equal((await fetch(`${url}/latest/api/token`, { method: 'PUT' })).status, 400, 'TTL required');
  t.equal((await fetch(`${url}/latest/api/token`)).status, 405);
  const put = await fetch(`${url}/latest/api/token`, {
    method: 'PUT',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
  });
  const token = await put.text();
  const headers = { 'X-aws-ec2-metadata-token': token };
  const roles = await fetch(`${url}/latest/meta-data/iam/security-credentials/`, { headers });
  t.equal(await roles.text(), 'empdir-app-role');
  const doc = await fetch(`${url}/latest/meta-data/iam/security-credentials/empdir-app-role`, {
    headers,
  });
  t.same(await doc.json(), stack.sim.currentCredentials(), 'the upstream document unchanged');
  const other = await fetch(`${url}/latest/meta-data/iam/security-credentials/other`, { headers });
  t.equal(other.status, 404);
  stack.clock.advance(59_000);
  t.equal(
    (await fetch(`${url}/latest/meta-data/iam/security-credentials/`, { headers })).status,
    200,
    'facade token still valid inside its TTL',
  );
  stack.clock.advance(1_001);
  t.equal(
    (await fetch(`${url}/latest/meta-data/iam/security-credentials/`, { headers })).status,
    401,
    'facade tokens expire on the clock',
  );

  withEnv(t, {
    ...ISOLATED,
    AWS_EC2_METADATA_DISABLED: undefined,
    AWS_EC2_METADATA_V1_DISABLED: 'true',
    AWS_EC2_METADATA_SERVICE_ENDPOINT: url,
  });
  const credentials = await fromInstanceMetadata({ maxRetries: 0 })();
  t.equal(credentials.accessKeyId, stack.sim.currentCredentials().AccessKeyId);
  t.equal(stack.sim.counters().total, 0, 'the facade never called IMDS');
});

t.test('the facade is off by default', async (t) => {
  const stack = await startStack(t);
  const put = await fetch(`${stack.daemon.url}/latest/api/token`, {
    method: 'PUT',
    headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
  });
  t.equal(put.status, 404);
});
