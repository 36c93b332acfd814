// `npm start`'s stack: the API works through its own client token (photo upload included), the
// instance role is served to no one, and each client's AssumeRole is what the STS stand-in recorded.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startLocalStack } from '../support/local-stack.js';
import { REPORTS_SESSION_POLICY } from '../support/local-stack-clients.js';
import { clientCredentialsToken } from '../support/oidc-provider.js';
import { seedEmployees } from '../support/sample-employees.js';

const WRITE_ACTION = /:(Put|Update|Delete|BatchWrite|Create)/;

const lookups = async (opsUrl: string, client: string) => {
  const text = await (await fetch(`${opsUrl}/metrics`)).text();
  const pattern = new RegExp(
    `^imds_cache_client_cache_lookups_total\\{[^}]*client="${client}"[^}]*\\} (\\d+)`,
    'gm',
  );
  return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
};

t.test(
  'the local stack: api through its client token, reports read-only, one AssumeRole each',
  async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'empdir-local-stack-'));
    const stack = await startLocalStack({ dataDir, dynamoDbEngine: 'dynalite' });
    t.teardown(async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const [machine] = stack.oidc.clients;
    const token = machine ? await clientCredentialsToken(stack.oidc.issuer, machine) : '';
    // Two employees: the second has a photo, so the API signs an S3 upload with its scoped keys.
    await seedEmployees(stack.apiUrl, 2, token);
    const list = (await (
      await fetch(`${stack.apiUrl}/api/employees`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { items: { photoKey?: string }[] };
    t.equal(list.items.length, 2);
    t.ok(
      list.items.some((item) => item.photoKey),
      'a photo was stored through the api role',
    );
    t.ok((await lookups(stack.cacheOpsUrl, 'api')) > 0, 'the API asked with the api token');
    t.equal(await lookups(stack.cacheOpsUrl, 'reports'), 0, 'nobody asked as reports yet');

    const ask = async (file: string) =>
      fetch(stack.cacheUrl, { headers: { authorization: (await readFile(file, 'utf8')).trim() } });
    const main = await ask(stack.tokenFile);
    t.equal(main.status >= 400, true, 'the main token serves no instance role');
    const reportsClient = stack.clients.find((client) => client.name === 'reports');
    const reports = await ask(reportsClient?.tokenFile ?? '');
    t.equal(reports.status, 200);
    t.equal(await lookups(stack.cacheOpsUrl, 'reports'), 1);

    const calls = (await (await fetch(`${stack.stsUrl}/__simulator/calls`)).json()) as {
      roleArn: string;
      sourceIdentity?: string;
      tags: Record<string, string>;
      policy?: string;
      chained: boolean;
      outcome: string;
    }[];
    for (const client of stack.clients) {
      const mine = calls.filter((call) => call.roleArn === client.roleArn);
      t.equal(mine.length, 1, `one AssumeRole for ${client.name}`);
      t.match(mine[0], { sourceIdentity: client.name, tags: { client: client.name } });
      t.match(mine[0], { chained: true, outcome: 'ok' });
    }
    const reportsCall = calls.find((call) => call.roleArn === reportsClient?.roleArn);
    t.same(JSON.parse(reportsCall?.policy ?? 'null'), REPORTS_SESSION_POLICY);
    t.notMatch(reportsCall?.policy ?? '', WRITE_ACTION, 'the reports session may not write');
    t.equal(calls.find((call) => call.roleArn.endsWith('-api'))?.policy, undefined);
  },
);
