// Scoped roles per client (issue 11): each client's token gets that client's AssumeRole
// credentials from the same /v1/credentials path, through the real SDK, against the STS stand-in.
import { stat } from 'node:fs/promises';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromHttp } from '@aws-sdk/credential-providers';
import t from 'tap';
import {
  API_GROUP,
  API_ROLE,
  type CredentialsAnswer,
  INSTANCE_ARN,
  INSTANCE_ID,
  REPORTS_POLICY,
  REPORTS_ROLE,
  runSdkProcess,
  startClientsStack,
} from './imds-cache-clients-harness.js';
import { metricValue, until } from './imds-cache-harness.js';

const sessionArn = (role: string, client: string) =>
  `arn:aws:sts::123456789012:assumed-role/${role}/${INSTANCE_ID}-${client}`;

t.test('each client token gets its own role; reports sends its session policy', async (t) => {
  const stack = await startClientsStack(t);
  const { sts, daemon, clients } = stack;
  const read = (file: string) =>
    fromHttp({
      awsContainerCredentialsFullUri: `${daemon.url}/v1/credentials`,
      awsContainerAuthorizationTokenFile: file,
    })();
  const api = await read(clients.tokens.api);
  const reports = await read(clients.tokens.reports);
  const instance = await read(daemon.tokenFile);
  t.equal(instance.accessKeyId, stack.imds.currentCredentials().AccessKeyId, 'main: instance role');
  t.not(api.accessKeyId, instance.accessKeyId);
  t.not(reports.accessKeyId, api.accessKeyId);
  // Who each key belongs to, as STS itself sees it: a signed GetCallerIdentity per key.
  const whoAmI = async (credentials: typeof api) => {
    const client = new STSClient({ endpoint: sts.url, region: 'us-east-1', credentials });
    t.teardown(() => client.destroy());
    return (await client.send(new GetCallerIdentityCommand({}))).Arn;
  };
  t.equal(await whoAmI(api), sessionArn('empdir-prod-api', 'api'));
  t.equal(await whoAmI(reports), sessionArn('empdir-prod-reports', 'reports'));
  t.equal((await stack.credentials(stack.token.api)).body.AccountId, '123456789012');

  const calls = sts.assumeRoleCalls();
  t.equal(calls.length, 2, 'one AssumeRole per client since start');
  const byRole = (arn: string) => calls.find((call) => call.roleArn === arn);
  t.match(byRole(REPORTS_ROLE), {
    callerArn: INSTANCE_ARN,
    roleSessionName: `${INSTANCE_ID}-reports`,
    sourceIdentity: 'reports',
    tags: { client: 'reports' },
    policy: JSON.stringify(REPORTS_POLICY),
    durationSeconds: 1800,
    chained: true,
    outcome: 'ok',
  });
  t.match(byRole(API_ROLE), { tags: { client: 'api' }, durationSeconds: 3600, outcome: 'ok' });
  t.equal(byRole(API_ROLE)?.policy, undefined, 'no session policy configured for api');

  const apiFile = await stat(clients.tokens.api);
  t.equal(apiFile.mode & 0o777, 0o640);
  t.equal(apiFile.gid, API_GROUP.gid, 'the api token file belongs to its group');
  t.equal((await stat(clients.tokens.reports)).mode & 0o777, 0o640);

  const stsOk = { client: 'api', outcome: 'ok' };
  t.equal(await metricValue(stack, 'imds_cache_client_sts_requests_total', stsOk), 1);
  await until(() =>
    stack.logLines.some((l) => /"audit":"credentials_issued".*"client":"api"/.test(l)),
  );
  t.ok(
    stack.logLines.some((l) => /"client":"reports","role":"empdir-prod-reports"/.test(l)),
    'the audit line names the client and its role',
  );
});

t.test(
  'IMDS_CACHE_SERVE_INSTANCE_ROLE=off: the main token and the facade serve no role',
  async (t) => {
    const uid = String(process.getuid?.() ?? 0);
    const stack = await startClientsStack(t, {
      IMDS_CACHE_SERVE_INSTANCE_ROLE: 'off',
      IMDS_CACHE_IMDS_FACADE: 'on',
      IMDS_CACHE_FACADE_USERS: uid,
    });
    const refused = await stack.credentials(stack.token.main);
    t.equal(refused.status, 403);
    t.equal(refused.body.error?.code, 'instance_role_not_served');
    t.match(refused.body.error?.message, /IMDS_CACHE_SERVE_INSTANCE_ROLE=off/);
    const viaSdk = await fromHttp({
      awsContainerCredentialsFullUri: `${stack.daemon.url}/v1/credentials`,
      awsContainerAuthorizationToken: stack.token.main,
      maxRetries: 0,
    })().catch((error: unknown) => error as Record<string, unknown>);
    t.match(viaSdk, { Code: 'instance_role_not_served' });
    // The instance identity is no secret: the main token still reads it.
    t.equal(
      (
        await fetch(`${stack.daemon.url}/v1/instance`, {
          headers: { Authorization: stack.token.main },
        })
      ).status,
      200,
    );

    const session = await fetch(`${stack.daemon.url}/latest/api/token`, {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '60' },
    }).then((r) => r.text());
    for (const path of [
      'iam/security-credentials/',
      'iam/security-credentials/empdir-app-role',
      'iam/info',
    ]) {
      const response = await fetch(`${stack.daemon.url}/latest/meta-data/${path}`, {
        headers: { 'X-aws-ec2-metadata-token': session },
      });
      t.equal(response.status, 403, `facade ${path}`);
      t.equal(
        ((await response.json()) as CredentialsAnswer).error?.code,
        'instance_role_not_served',
      );
    }
    const api = await stack.credentials(stack.token.api);
    t.equal(api.status, 200, 'client tokens still work');
    t.not(api.body.AccessKeyId, stack.imds.currentCredentials().AccessKeyId);
  },
);

t.test(
  'five processes per client cause one AssumeRole per client; each signs with its role',
  async (t) => {
    const stack = await startClientsStack(t);
    const { sts, daemon, clients } = stack;
    const runs = await Promise.all(
      (['api', 'reports'] as const).flatMap((name) =>
        Array.from({ length: 5 }, async () => ({
          name,
          result: await runSdkProcess(daemon.url, clients.tokens[name], sts.url),
        })),
      ),
    );
    for (const { name, result } of runs) {
      const role = name === 'api' ? 'empdir-prod-api' : 'empdir-prod-reports';
      t.match(result, { ok: true, arn: sessionArn(role, name) }, `${name} process`);
    }
    const keys = (name: string) =>
      new Set(runs.filter((r) => r.name === name).map((r) => r.result.accessKeyId));
    t.equal(keys('api').size, 1, 'the five api processes share one session');
    t.equal(keys('reports').size, 1);
    const counts = (arn: string) => sts.assumeRoleCalls().filter((c) => c.roleArn === arn).length;
    t.equal(counts(API_ROLE), 1, 'one AssumeRole for api');
    t.equal(counts(REPORTS_ROLE), 1, 'one AssumeRole for reports');
    // The stand-in verified every process's signature against the scoped session's secret.
    const signed = sts.requests().filter((r) => r.action === 'GetCallerIdentity');
    t.equal(signed.length, 10);
    t.ok(signed.every((r) => r.signatureValid && r.outcome === 'ok'));
    t.same(
      new Set(signed.map((r) => r.accessKeyId)),
      new Set([...keys('api'), ...keys('reports')]),
    );
  },
);

for (const kind of ['throttling', 'down'] as const) {
  t.test(
    `STS ${kind}: the client keeps its last credentials, the other is unaffected`,
    async (t) => {
      const stack = await startClientsStack(t);
      const before = (await stack.credentials(stack.token.api)).body.AccessKeyId;
      const reportsBefore = (await stack.credentials(stack.token.reports)).body.AccessKeyId;
      // Both SDK attempts of api's next refresh fail; then STS is well again for reports.
      stack.sts.setFault({ kind, action: 'AssumeRole', count: 2 });
      await t.rejects(stack.client('api').cache.refresh(), { name: 'StsRequestError' });
      const reason = kind === 'down' ? 'sts_network' : 'sts_throttled';
      t.equal(
        await metricValue(stack, 'imds_cache_client_refresh_failures_total', {
          client: 'api',
          reason,
        }),
        1,
      );
      const held = await stack.credentials(stack.token.api);
      t.equal(held.status, 200, 'static stability: still served');
      t.equal(held.body.AccessKeyId, before, 'the last credentials');
      const reports = await stack.client('reports').cache.refresh();
      t.not(reports.document.AccessKeyId, reportsBefore, 'reports refreshed meanwhile');
      t.equal(
        (await stack.credentials(stack.token.reports)).body.AccessKeyId,
        reports.document.AccessKeyId,
      );
      const calls = stack.sts.assumeRoleCalls();
      t.equal(
        calls.filter((c) => c.roleArn === REPORTS_ROLE).length,
        2,
        'reports: start + refresh',
      );
    },
  );
}
