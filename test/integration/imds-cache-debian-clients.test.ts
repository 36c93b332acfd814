// Clients nobody here wrote, as Debian 12 ships them (AWS CLI v2, boto3, the Go SDK v2), get
// their credentials from one daemon in every way they support — token file, token value, the
// IMDSv2 facade — and sign an STS call to our STS stand-in, which trusts only the IMDS simulator's
// instance-role keys and records the key id, session token and signature check of each request. Missing clients fail under CI=true, and skip (saying why)
// elsewhere; the README's client table is what this file measures.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  clientEnv,
  type DebianClient,
  debianClients,
  type RunResult,
} from '../support/debian-clients.js';
import { DEFAULT_INSTANCE } from '../support/imds-simulator.js';
import { imdsTrustedSource } from '../support/sts-imds-link.js';
import { type StsRequestRecord, startStsSimulator } from '../support/sts-simulator.js';
import { startStack } from './imds-cache-harness.js';

type Mode = 'token file' | 'token value' | 'IMDSv2 facade';

// Measured with Debian 12's packages: none of them reads AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.
const DEBIAN_12_READS_TOKEN_FILE: Readonly<Record<string, Readonly<Record<string, boolean>>>> = {
  'AWS CLI v2': { '2.9.19': false },
  'boto3 / botocore': { '1.26.27 / 1.29.27': false },
  'Go SDK v2': { '1.17.1': false },
};

const mustRun = process.env.CI === 'true' && process.env.EMPDIR_SKIP_SYSTEM_PACKAGES !== '1';

const [stack, clients, home] = await Promise.all([
  startStack(t, {
    env: { IMDS_CACHE_IMDS_FACADE: 'on', IMDS_CACHE_FACADE_USERS: String(process.getuid?.()) },
  }),
  debianClients(),
  mkdtemp(join(tmpdir(), 'empdir-clients-home-')),
]);
t.teardown(() => rm(home, { recursive: true, force: true }));
const served = stack.sim.currentCredentials();
// The only principal the STS stand-in knows: the IMDS simulator's (default) instance-role session.
const INSTANCE_SESSION_ARN = `arn:aws:sts::${DEFAULT_INSTANCE.accountId}:assumed-role/empdir-app-role/${DEFAULT_INSTANCE.instanceId}`;
const container = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: `${stack.daemon.url}/v1/credentials`,
  // Nothing may go around the daemon (and nothing may leave loopback).
  AWS_EC2_METADATA_DISABLED: 'true',
};
const MODES: Readonly<Record<Mode, Record<string, string>>> = {
  'token file': { ...container, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: stack.daemon.tokenFile },
  'token value': { ...container, AWS_CONTAINER_AUTHORIZATION_TOKEN: stack.token },
  'IMDSv2 facade': {
    // The trailing slash: AWS CLI 2.9 appends "latest/api/token" to the endpoint as it is.
    AWS_EC2_METADATA_SERVICE_ENDPOINT: `${stack.daemon.url}/`,
    AWS_EC2_METADATA_V1_DISABLED: 'true',
  },
};

/** true/false when this version's answer is known; undefined: measured and reported only. */
function expectedToWork(client: DebianClient, mode: Mode): boolean | undefined {
  if (mode !== 'token file') return true;
  return DEBIAN_12_READS_TOKEN_FILE[client.name]?.[client.version ?? ''];
}

interface ModeOutcome {
  readonly mode: Mode;
  readonly result: RunResult;
  readonly calls: readonly StsRequestRecord[];
}

/** Every mode of one client, one after another, each signing to its own STS stand-in. */
async function exercise(run: NonNullable<DebianClient['run']>): Promise<ModeOutcome[]> {
  const outcomes: ModeOutcome[] = [];
  for (const mode of Object.keys(MODES) as Mode[]) {
    const sts = await startStsSimulator({ trustedSource: imdsTrustedSource(stack.sim.url) });
    try {
      const env = clientEnv(home, MODES[mode]);
      const result = await run({ env, stsUrl: sts.url, imds: mode === 'IMDSv2 facade' });
      outcomes.push({ mode, result, calls: sts.requests() });
    } finally {
      await sts.close();
    }
  }
  return outcomes;
}

// The clients run side by side (most of their time is interpreter start-up); asserted in order.
const running = clients.map((client) => (client.run ? exercise(client.run) : undefined));

clients.forEach((client, index) => {
  const version = client.version ? ` ${client.version}` : '';
  const label = `${client.name}${version} (Debian: ${client.debianPackages})`;
  const skip = !client.broken && client.missing && !mustRun ? client.missing : false;
  if (skip) t.comment(`skipping ${client.name}: ${skip}; install ${client.debianPackages}`);
  t.test(label, { skip }, async (t) => {
    const outcomes = await running[index];
    if (!outcomes) {
      t.fail(`${client.name} cannot run here: ${client.broken ?? client.missing}`);
      return;
    }
    for (const { mode, result, calls } of outcomes) {
      const worked = result.code === 0 && calls.length > 0;
      const expected = expectedToWork(client, mode);
      if (expected === undefined) {
        t.comment(`${client.name} ${client.version} with the ${mode}: works=${worked}`);
        if (!worked) continue;
      } else if (!expected) {
        t.not(result.code, 0, `${mode}: ignored, as measured (the README says so)`);
        t.equal(calls.length, 0, `${mode}: nothing was signed`);
        continue;
      }
      t.equal(result.code, 0, `${mode}: exit 0 ${result.stderr.slice(-600)}`);
      t.equal(calls.length, 1, `${mode}: one signed STS call`);
      const call = calls[0];
      // t.has compares each field whole (t.match would accept a string that merely contains it).
      t.has(
        call,
        {
          accessKeyId: served.AccessKeyId,
          sessionToken: served.Token,
          signatureValid: true,
          callerArn: INSTANCE_SESSION_ARN,
          action: 'GetCallerIdentity',
          outcome: 'ok',
        },
        `${mode}: signed with the served key, secret and session token`,
      );
      t.ok(call?.signedHeaders.includes('x-amz-security-token'), `${mode}: the token is signed`);
      if (result.code !== 0) continue;
      const output = JSON.parse(result.stdout) as Record<string, unknown>;
      t.match(output, { Account: DEFAULT_INSTANCE.accountId }, `${mode}: output`);
      if (client.name === 'Go SDK v2' && mode === 'IMDSv2 facade') {
        t.match(
          output,
          {
            region: DEFAULT_INSTANCE.region,
            instanceId: DEFAULT_INSTANCE.instanceId,
            availabilityZone: DEFAULT_INSTANCE.availabilityZone,
            placementRegion: DEFAULT_INSTANCE.region,
            instanceProfileArn: /^arn:aws:iam::\d{12}:instance-profile\//,
            identityAccountId: DEFAULT_INSTANCE.accountId,
          },
          'the Go SDK read its region, metadata, iam/info and identity through the facade',
        );
      }
    }
  });
});
