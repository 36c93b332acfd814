// The daemon with a clients file (api, reports) against the IMDSv2 simulator and the STS stand-in,
// all real sockets on 127.0.0.1:0; the stand-in trusts exactly the keys the simulator issued.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { parseConfig } from '../../packages/imds-cache/src/config.js';
import { startImdsCache } from '../../packages/imds-cache/src/daemon.js';
import { createLogger } from '../../packages/imds-cache/src/log.js';
import { DEFAULT_INSTANCE, startImdsSimulator } from '../support/imds-simulator.js';
import { imdsTrustedSource } from '../support/sts-imds-link.js';
import { startStsSimulator } from '../support/sts-simulator.js';
import { baseEnv } from './imds-cache-daemon-process.js';

export const ACCOUNT = DEFAULT_INSTANCE.accountId;
export const INSTANCE_ID = DEFAULT_INSTANCE.instanceId;
export const INSTANCE_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/empdir-app-role/${INSTANCE_ID}`;
export const API_ROLE = `arn:aws:iam::${ACCOUNT}:role/empdir-prod-api`;
export const REPORTS_ROLE = `arn:aws:iam::${ACCOUNT}:role/empdir-prod-reports`;
export const REPORTS_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['dynamodb:Query', 's3:GetObject'], Resource: '*' }],
};
/** A group every Debian system has; the api token file must end up owned by it. */
export const API_GROUP = { name: 'daemon', gid: 1 };
const CLIENT_SCRIPT = fileURLToPath(new URL('../support/scoped-sdk-client.mjs', import.meta.url));

/** /v1/credentials' answer: the credentials, or the error envelope. */
export interface CredentialsAnswer {
  readonly AccessKeyId?: string;
  readonly AccountId?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

/** Writes the clients file (api in API_GROUP; reports with a session policy, 30 min) in `dir`. */
export async function writeClientsFile(dir: string) {
  const file = join(dir, 'clients.json');
  const tokens = {
    api: join(dir, 'clients', 'api.token'),
    reports: join(dir, 'clients', 'reports.token'),
  };
  const clients = [
    { name: 'api', tokenFile: tokens.api, group: API_GROUP.name, roleArn: API_ROLE },
    {
      name: 'reports',
      tokenFile: tokens.reports,
      roleArn: REPORTS_ROLE,
      sessionPolicy: REPORTS_POLICY,
      durationSeconds: 1800,
    },
  ];
  await writeFile(file, JSON.stringify({ clients }));
  return { file, tokens };
}

/** The two simulators, the STS one linked to the IMDS one's issued credentials. */
export async function startUpstreams(t: Test) {
  const imds = await startImdsSimulator();
  const sts = await startStsSimulator({
    roles: [API_ROLE, REPORTS_ROLE],
    trustedSource: imdsTrustedSource(imds.url),
  });
  const dir = await mkdtemp(join(tmpdir(), 'imds-cache-clients-'));
  t.teardown(async () => {
    await sts.close();
    await imds.close();
    await rm(dir, { recursive: true, force: true });
  });
  const clients = await writeClientsFile(dir);
  const env = {
    IMDS_CACHE_IMDS_ENDPOINT: imds.url,
    IMDS_CACHE_LISTEN: '127.0.0.1:0',
    IMDS_CACHE_OPS_LISTEN: '127.0.0.1:0',
    IMDS_CACHE_TOKEN_FILE: join(dir, 'run', 'token'),
    IMDS_CACHE_CLIENTS_FILE: clients.file,
    IMDS_CACHE_STS_ENDPOINT: sts.url,
  };
  return { imds, sts, dir, clients, env };
}

/** The daemon in this process, warmed (instance role and both clients fetched once). */
export async function startClientsStack(t: Test, extraEnv: Record<string, string> = {}) {
  const upstreams = await startUpstreams(t);
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const daemon = await startImdsCache(parseConfig({ ...upstreams.env, ...extraEnv }), { logger });
  t.teardown(() => daemon.close());
  await daemon.warm;
  const token = {
    main: await readFile(daemon.tokenFile, 'utf8'),
    api: await readFile(upstreams.clients.tokens.api, 'utf8'),
    reports: await readFile(upstreams.clients.tokens.reports, 'utf8'),
  };
  const credentials = async (value: string) => {
    const response = await fetch(`${daemon.url}/v1/credentials`, {
      headers: { Authorization: value },
    });
    return { status: response.status, body: (await response.json()) as CredentialsAnswer };
  };
  const client = (name: 'api' | 'reports') => {
    const entry = daemon.clients.entries.find((e) => e.spec.name === name);
    if (!entry) throw new Error(`no client ${name}`);
    return entry;
  };
  return { ...upstreams, daemon, logLines, token, credentials, client };
}

/** Runs scoped-sdk-client.mjs as a separate process holding `tokenFile`; its JSON line. */
export async function runSdkProcess(daemonUrl: string, tokenFile: string, stsUrl: string) {
  const env = {
    ...baseEnv(),
    AWS_CONTAINER_CREDENTIALS_FULL_URI: `${daemonUrl}/v1/credentials`,
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const { stdout } = await promisify(execFile)(process.execPath, [CLIENT_SCRIPT, stsUrl], {
    env,
    timeout: 60_000,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    ok: boolean;
    accessKeyId?: string;
    arn?: string;
    error?: string;
  };
}
