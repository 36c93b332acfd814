// `migrate:flask` as the built command in a child process: exit codes, output, a SIGKILL
// part-way then a resumed run, and a graceful stop on SIGINT.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { standinEnv } from '../support/child-process.js';
import { localAwsCredentials } from '../support/local-aws.js';
import { assertMigratedOnce, putOddItems, runMigration } from './migrate-flask-fixtures.js';
import {
  freshNames,
  migrateEnv,
  type Names,
  putPlainItems,
  scanAll,
  startFlaskStandins,
} from './migrate-flask-harness.js';

const standins = await startFlaskStandins();
t.teardown(() => standins.stop());

const MAIN = fileURLToPath(new URL('../../packages/api/dist/migrate/main.js', import.meta.url));

/** The built command in a child process, with the stand-ins' dummy key in its environment. */
function spawnMigrate(names: Names, args: string[], env: Record<string, string> = {}) {
  const credentials = localAwsCredentials();
  const child = spawn(
    process.execPath,
    [MAIN, '--from-table', names.fromTable, '--from-bucket', names.fromBucket, ...args],
    {
      env: standinEnv({
        ...migrateEnv(standins, names),
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

t.test(
  'the command: bad settings exit 2 listing every key; a dry run prints the summary',
  async (t) => {
    const names = await freshNames(standins);
    await putOddItems(standins, names);
    const bad = spawnMigrate(names, ['--segments', 'x'], { TABLE_NAME: '', AWS_TIMEOUT_MS: '5' });
    t.equal((await bad.exited).code, 2);
    t.match(bad.output().stderr, /TABLE_NAME: .*\n.*AWS_TIMEOUT_MS: .*\n.*--segments: /);

    const dry = spawnMigrate(names, ['--dry-run']);
    t.equal((await dry.exited).code, 0);
    const { stdout, stderr } = dry.output();
    t.match(stdout, /^Dry run: nothing was written\.\n/);
    t.match(stdout, /migrated: +6 \(would be\)/);
    t.match(stdout, /id is not a UUID: 1 \(emp-42\)/);
    t.match(stderr, /^migrate: \d+(\/\d+)? items: migrated /, 'plain lines when stderr is no TTY');
    t.notMatch(stderr, /\r/);
    t.same(await scanAll(standins, names.tableName), []);
  },
);

t.test(
  'the command killed part-way (SIGKILL), then resumed: complete, no duplicates',
  async (t) => {
    const names = await freshNames(standins);
    const ids = await putPlainItems(standins, names, 40);
    const run1 = spawnMigrate(names, ['--segments', '1']);
    // The first progress line comes after the first item: kill it then, with no chance to clean up.
    await new Promise<void>((resolve) =>
      run1.child.stderr.on('data', () => {
        if (/^migrate: 1/.test(run1.output().stderr)) resolve();
      }),
    );
    run1.child.kill('SIGKILL');
    t.equal((await run1.exited).signal, 'SIGKILL');
    const afterKill = (await scanAll(standins, names.tableName)).length;
    t.ok(afterKill >= 1 && afterKill < 40, `killed part-way (${afterKill} of 40 written)`);

    const resumed = await runMigration(standins, names);
    t.equal(resumed.migrated + resumed.alreadyPresent, 40);
    t.equal(resumed.alreadyPresent, afterKill);
    await assertMigratedOnce(t, standins, names, {
      ids,
      photos: 20,
      objectsMessage: 'no stray photo objects',
    });
  },
);

t.test(
  'the command stopped by SIGINT: finishes the item in hand, prints the summary, exits 130',
  async (t) => {
    const names = await freshNames(standins);
    await putPlainItems(standins, names, 40);
    const run1 = spawnMigrate(names, ['--segments', '1']);
    await new Promise<void>((resolve) =>
      run1.child.stderr.on('data', () => {
        if (/^migrate: 1/.test(run1.output().stderr)) resolve();
      }),
    );
    run1.child.kill('SIGINT');
    t.equal((await run1.exited).code, 130);
    const { stdout } = run1.output();
    t.match(stdout, /Stopped early: run the same command again to continue\./);
    const migrated = Number(/migrated: +(\d+)/.exec(stdout)?.[1]);
    t.ok(migrated >= 1 && migrated < 40, `stopped part-way (${migrated} of 40)`);
    t.equal((await scanAll(standins, names.tableName)).length, migrated, 'the summary is exact');
  },
);
