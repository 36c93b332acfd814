import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseClientsFile, readClientsFile } from './clients-file.js';
import { ConfigError } from './errors.js';

const policy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: '*' }],
};
const issueExample = {
  clients: [
    {
      name: 'api',
      tokenFile: '/run/imds-cache/clients/api.token',
      group: 'empdir',
      roleArn: 'arn:aws:iam::123456789012:role/empdir-prod-api',
    },
    {
      name: 'reports',
      tokenFile: '/run/imds-cache/clients/reports.token',
      group: 'reports',
      roleArn: 'arn:aws:iam::123456789012:role/empdir-prod-reports',
      sessionPolicy: policy,
      durationSeconds: 3600,
    },
  ],
};

const problemsOf = (input: unknown, reservedTokenFiles?: string[]): string[] => {
  try {
    parseClientsFile(typeof input === 'string' ? input : JSON.stringify(input), {
      ...(reservedTokenFiles ? { reservedTokenFiles } : {}),
    });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
};

t.test("the issue's example parses, with defaults and the policy packed", async (t) => {
  const [api, reports] = parseClientsFile(JSON.stringify(issueExample, null, 2));
  t.same(api, {
    name: 'api',
    tokenFile: '/run/imds-cache/clients/api.token',
    group: 'empdir',
    roleArn: 'arn:aws:iam::123456789012:role/empdir-prod-api',
    roleName: 'empdir-prod-api',
    accountId: '123456789012',
    sessionPolicy: undefined,
    durationSeconds: 3600,
  });
  t.equal(reports?.sessionPolicy, JSON.stringify(policy), 'minified JSON, as STS takes it');
  t.ok(Object.isFrozen(api), 'frozen');
  const pathed = parseClientsFile(
    JSON.stringify({
      clients: [
        {
          name: 'x',
          tokenFile: '/t',
          roleArn: 'arn:aws-us-gov:iam::210987654321:role/team/app/reader',
          durationSeconds: 900,
        },
      ],
    }),
  );
  t.match(pathed[0], {
    roleName: 'reader',
    accountId: '210987654321',
    group: undefined,
    durationSeconds: 900,
  });
});

t.test('every problem is listed at once with its JSON path', async (t) => {
  const problems = problemsOf({
    clients: [
      {
        name: 'Api!',
        tokenFile: 'relative/api.token',
        group: 'Bad Group',
        roleArn: 'arn:aws:iam::123456789012:user/alice',
        durationSeconds: 7200,
      },
      {
        name: 'ok',
        tokenFile: '/run/a',
        roleArn: 'arn:aws:iam::12345:role/x',
        sessionPolicy: { Version: '2012-10-17' },
        durationSeconds: 60,
        extra: true,
      },
      { tokenFile: '/run/b', roleArn: 'arn:aws:iam::123456789012:role/b', sessionPolicy: [] },
    ],
  });
  t.match(problems, [
    /^IMDS_CACHE_CLIENTS_FILE: clients\[0\]\.name: expected 1-32 of/,
    /^IMDS_CACHE_CLIENTS_FILE: clients\[0\]\.tokenFile: expected an absolute path$/,
    /clients\[0\]\.group: expected a Unix group name$/,
    /clients\[0\]\.roleArn: expected an IAM role ARN/,
    /clients\[0\]\.durationSeconds: expected at most 3600 \(role chaining limit\)$/,
    /clients\[1\]\.roleArn: expected an IAM role ARN/,
    /clients\[1\]\.sessionPolicy: expected a policy with a Statement$/,
    /clients\[1\]\.durationSeconds: expected at least 900/,
    /clients\[1\]: Unrecognized key: "extra"/,
    /clients\[2\]\.name: /,
    /clients\[2\]\.sessionPolicy: /,
  ]);
  t.equal(problems.length, 11, problems.join('\n'));
});

t.test('names and token files are unique; the main token file is reserved', async (t) => {
  const entry = (name: string, tokenFile: string) => ({
    name,
    tokenFile,
    roleArn: 'arn:aws:iam::123456789012:role/r',
  });
  const problems = problemsOf(
    {
      clients: [
        entry('api', '/run/a'),
        entry('api', '/run/b'),
        entry('other', '/run/a'),
        entry('main', '/run/imds-cache/token'),
        { ...entry('bad!', '/run/c'), roleArn: 'nope' },
      ],
    },
    ['/run/imds-cache/token'],
  );
  t.same(problems.slice(-3), [
    'IMDS_CACHE_CLIENTS_FILE: clients[1].name: "api" is also clients[0].name',
    'IMDS_CACHE_CLIENTS_FILE: clients[2].tokenFile: "/run/a" is also clients[0].tokenFile',
    'IMDS_CACHE_CLIENTS_FILE: clients[3].tokenFile: "/run/imds-cache/token" is the main token file',
  ]);
  t.equal(problems.length, 5, 'the bad entry still reports its own two errors');
});

t.test(
  'a session policy over 2048 characters packed is refused; whitespace does not count',
  async (t) => {
    const statement = (n: number) => ({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::b/${'k'.repeat(n)}`,
    });
    const withPolicy = (sessionPolicy: unknown) => ({
      clients: [
        { name: 'a', tokenFile: '/a', roleArn: 'arn:aws:iam::123456789012:role/a', sessionPolicy },
      ],
    });
    const fits = { Version: '2012-10-17', Statement: [statement(0)] };
    const room = 2048 - JSON.stringify(fits).length;
    const exact = { Version: '2012-10-17', Statement: [statement(room)] };
    t.equal(JSON.stringify(exact).length, 2048);
    t.same(
      problemsOf(JSON.stringify(withPolicy(exact), null, 8)),
      [],
      'exactly 2048, pretty-printed',
    );
    const over = { Version: '2012-10-17', Statement: [statement(room + 1)] };
    t.match(problemsOf(withPolicy(over)), [
      /clients\[0\]\.sessionPolicy: expected at most 2048 characters/,
    ]);
  },
);

t.test('file-level problems: not JSON, wrong shape, empty, unreadable', async (t) => {
  t.match(problemsOf('{ clients: '), [/^IMDS_CACHE_CLIENTS_FILE: not JSON \(/]);
  t.match(problemsOf({ client: [] }), [
    /clients: Invalid input: expected array/,
    /\(file\): Unrecognized key: "client"/,
  ]);
  t.match(problemsOf({ clients: [] }), [/clients: expected at least one client/]);
  t.match(problemsOf([]), [/\(file\): /]);
  const dir = await mkdtemp(join(tmpdir(), 'clients-file-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'clients.json');
  await t.rejects(readClientsFile(path), {
    name: 'ConfigError',
    problems: [`IMDS_CACHE_CLIENTS_FILE (${path}): cannot read the file (ENOENT)`],
  });
  await writeFile(path, JSON.stringify(issueExample));
  t.equal((await readClientsFile(path)).length, 2);
  await t.rejects(
    readClientsFile(path, { reservedTokenFiles: ['/run/imds-cache/clients/api.token'] }),
    {
      name: 'ConfigError',
      problems: [/\(.*clients\.json\): clients\[0\]\.tokenFile: .* is the main token file/],
    },
  );
});
