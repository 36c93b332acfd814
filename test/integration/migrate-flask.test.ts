// `migrate:flask` against the real stand-ins: items in exactly the Flask sample's shape, the odd
// ones it allowed, a second run, a dry run, and a run stopped part-way then resumed.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import t from 'tap';
import { UpstreamError } from '../../packages/api/src/errors.js';
import {
  createMigrationDeps,
  type FlaskMigrationOptions,
  migrateFlask,
} from '../../packages/api/src/migrate/index.js';
import { DynamoDbEmployeeStore } from '../../packages/api/src/store/dynamodb-employee-store.js';
import { standinEnv } from '../support/child-process.js';
import { dynamoDbClientConfig, localAwsCredentials } from '../support/local-aws.js';
import {
  type FlaskStandins,
  freshNames,
  migrateConfig,
  migrateEnv,
  type Names,
  objectKeys,
  oldPhotoKey,
  pngPhoto,
  putOldItem,
  putPlainItems,
  scanAll,
  startFlaskStandins,
} from './migrate-flask-harness.js';

const standins = await startFlaskStandins();
t.teardown(() => standins.stop());

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

async function run(
  names: Names,
  options: Partial<FlaskMigrationOptions> & { nowMs?: number } = {},
  wrap?: (deps: ReturnType<typeof createMigrationDeps>) => void,
) {
  const deps = createMigrationDeps(migrateConfig(standins, names), {
    credentials: localAwsCredentials(),
    now: () => options.nowMs ?? T0,
  });
  wrap?.(deps);
  try {
    await deps.checkReady();
    return await migrateFlask(deps, { dryRun: false, segments: 3, ...options });
  } finally {
    deps.close();
  }
}

/** Every shape the original could leave behind; returns the ids by role. */
async function putOddItems(s: FlaskStandins, names: Names) {
  const ids = {
    full: randomUUID(),
    bare: randomUUID(),
    unknownBadge: randomUUID(),
    photoGone: randomUUID(),
    noPlaceOrTitle: randomUUID(),
    noName: randomUUID(),
    notUuid: 'emp-42',
    notImage: randomUUID(),
  };
  const photo = await pngPhoto(240, 120);
  await putOldItem(
    s,
    names,
    {
      id: ids.full,
      full_name: 'Ada Lovelace',
      job_title: 'Analyst',
      location: 'London',
      badges: ['coffee', 'apple'],
      object_key: oldPhotoKey(),
    },
    photo,
  );
  await putOldItem(s, names, { id: ids.bare, full_name: 'Bo', job_title: 'Ops', location: 'Oslo' });
  await putOldItem(s, names, {
    id: ids.unknownBadge,
    full_name: 'Cy',
    job_title: 'Dev',
    location: 'Rome',
    badges: ['apple', 'rocket'],
  });
  // The object was deleted from the old bucket; the item still names it.
  await putOldItem(s, names, {
    id: ids.photoGone,
    full_name: 'Di',
    job_title: 'QA',
    location: 'Lima',
    object_key: oldPhotoKey(),
  });
  await putOldItem(s, names, { id: ids.noPlaceOrTitle, full_name: '  Ed  ' });
  await putOldItem(s, names, { id: ids.noName, job_title: 'Ghost', location: 'Nowhere' });
  await putOldItem(s, names, {
    id: ids.notUuid,
    full_name: 'Fay',
    job_title: 'PM',
    location: 'Kyiv',
  });
  await putOldItem(
    s,
    names,
    {
      id: ids.notImage,
      full_name: 'Gus',
      job_title: 'HR',
      location: 'Bonn',
      object_key: oldPhotoKey(),
    },
    new TextEncoder().encode('this is not an image'),
  );
  return ids;
}

t.test('every shape the original allowed is copied or skipped as documented', async (t) => {
  const names = await freshNames(standins);
  const ids = await putOddItems(standins, names);
  const before = await scanAll(standins, names.fromTable);
  const summary = await run(names);

  t.equal(summary.seen, 8);
  t.equal(summary.migrated, 6);
  t.equal(summary.alreadyPresent, 0);
  t.same(Object.fromEntries(summary.skipped), {
    'no full name': [ids.noName],
    'id is not a UUID': [ids.notUuid],
  });
  t.same(Object.fromEntries(summary.failed), {});
  t.equal(summary.photosCopied, 1);
  t.same(summary.photosMissing, [ids.photoGone]);
  t.same(summary.photosUnreadable, [ids.notImage]);
  t.same(summary.adjusted.get('unknown badge dropped'), [ids.unknownBadge]);

  // Read back through the API's own store: what the list page and GET /api/employees/:id show.
  const client = new DynamoDBClient(dynamoDbClientConfig(standins.ddb));
  t.teardown(() => client.destroy());
  const page = await new DynamoDbEmployeeStore(client, names.tableName).list({ limit: 100 });
  t.same(
    page.items.map((e) => e.fullName),
    ['Ada Lovelace', 'Bo', 'Cy', 'Di', 'Ed', 'Gus'],
    'listed by the API store, sorted by name',
  );
  const items = await scanAll(standins, names.tableName);
  const byId = new Map(items.map((item) => [item.id, item]));
  t.same(
    [...byId.keys()].sort(),
    [ids.full, ids.bare, ids.unknownBadge, ids.photoGone, ids.noPlaceOrTitle, ids.notImage].sort(),
    'old ids kept; the nameless and the non-UUID items are not copied',
  );
  t.match(byId.get(ids.full), {
    fullName: 'Ada Lovelace',
    jobTitle: 'Analyst',
    location: 'London',
    badges: ['apple', 'coffee'],
    photoKey: /^employee-pic\/[0-9a-f]{32}\.png$/,
    createdAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    listKey: 'employee',
    sortName: `ada lovelace#${ids.full}`,
  });
  t.same(byId.get(ids.unknownBadge)?.badges, ['apple']);
  t.same(byId.get(ids.bare)?.badges, []);
  t.match(byId.get(ids.noPlaceOrTitle), {
    fullName: 'Ed',
    jobTitle: 'Unknown',
    location: 'Unknown',
  });
  for (const id of [ids.bare, ids.photoGone, ids.notImage]) {
    t.notOk(byId.get(id)?.photoKey, `${id} has no photo`);
  }

  const photoKey = String(byId.get(ids.full)?.photoKey);
  t.same(await objectKeys(standins, names.photosBucket), [photoKey], 'one photo, no strays');
  const out = await standins.s3Client.send(
    new GetObjectCommand({ Bucket: names.photosBucket, Key: photoKey }),
  );
  const meta = await sharp(await out.Body?.transformToByteArray()).metadata();
  t.same([meta.format, meta.width, meta.height, meta.hasAlpha], ['png', 120, 160, true]);
  t.same(await scanAll(standins, names.fromTable), before, 'the old table is left as it was');
});

t.test('a second run adds nothing and changes nothing', async (t) => {
  const names = await freshNames(standins);
  const ids = await putOddItems(standins, names);
  await putPlainItems(standins, names, 6);
  const first = await run(names);
  t.equal(first.migrated, 12);
  const items = await scanAll(standins, names.tableName);
  const keys = await objectKeys(standins, names.photosBucket);
  t.equal(keys.length, 4, 'Ada and three of the plain ones have photos');

  // A later clock: an overwrite would show in createdAt/updatedAt.
  const second = await run(names, { nowMs: T0 + 86_400_000 });
  t.equal(second.seen, 14);
  t.equal(second.migrated, 0);
  t.equal(second.alreadyPresent, 12);
  t.equal(second.photosCopied, 0);
  t.same(Object.fromEntries(second.skipped), {
    'no full name': [ids.noName],
    'id is not a UUID': [ids.notUuid],
  });
  t.same(await scanAll(standins, names.tableName), items, 'every item exactly as before');
  t.same(await objectKeys(standins, names.photosBucket), keys, 'no new objects');
});

t.test('--dry-run reads and counts everything and writes nothing', async (t) => {
  const names = await freshNames(standins);
  const ids = await putOddItems(standins, names);
  const summary = await run(names, { dryRun: true });
  t.equal(summary.dryRun, true);
  t.equal(summary.migrated, 6, 'would migrate');
  t.equal(summary.photosCopied, 1, 'would copy');
  t.same(summary.photosMissing, [ids.photoGone]);
  t.same(summary.photosUnreadable, [ids.notImage]);
  t.same(await scanAll(standins, names.tableName), [], 'new table still empty');
  t.same(await objectKeys(standins, names.photosBucket), [], 'new bucket still empty');
  const real = await run(names);
  t.equal(real.migrated, 6, 'the real run after it still has everything to do');
});

t.test(
  'a run stopped part-way, then one killed between photo and item, then resumed',
  async (t) => {
    const names = await freshNames(standins);
    const plain = await putPlainItems(standins, names, 16);
    const partial = await run(names, { limit: 5 });
    t.equal(partial.seen, 5);
    t.equal(partial.stoppedEarly, true);
    t.equal((await scanAll(standins, names.tableName)).length, partial.migrated);

    // Dies after uploading a photo and before writing its item, as a kill at that moment would.
    let killed = '';
    const dying = await run(names, {}, (deps) => {
      const create = deps.employees.create.bind(deps.employees);
      Object.assign(deps.employees, {
        create: async (employee: { id: string; photoKey?: string }) => {
          if (!killed && employee.photoKey) {
            killed = employee.id;
            throw new UpstreamError('dynamodb', 'unavailable', new Error('killed'));
          }
          return create(employee as never);
        },
      });
    });
    t.ok(killed, 'one item died after its photo was uploaded');
    t.same(Object.fromEntries(dying.failed), { 'dynamodb: upstream_unavailable': [killed] });
    t.equal(dying.alreadyPresent, partial.migrated);

    const resumed = await run(names);
    t.equal(resumed.migrated, 1, 'only the item that died is left');
    t.equal(resumed.alreadyPresent, 15);

    const items = await scanAll(standins, names.tableName);
    t.same(
      items.map((item) => item.id),
      [...plain].sort(),
      'every employee exactly once',
    );
    const photoKeys = items
      .flatMap((item) => (item.photoKey ? [String(item.photoKey)] : []))
      .sort();
    t.equal(photoKeys.length, 8);
    t.same(
      await objectKeys(standins, names.photosBucket),
      photoKeys,
      'every object belongs to an item: the re-done upload replaced the first, no duplicate',
    );
  },
);

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

    const resumed = await run(names);
    t.equal(resumed.migrated + resumed.alreadyPresent, 40);
    t.equal(resumed.alreadyPresent, afterKill);
    const items = await scanAll(standins, names.tableName);
    t.same(
      items.map((item) => item.id),
      [...ids].sort(),
      'every employee exactly once',
    );
    const photoKeys = items
      .flatMap((item) => (item.photoKey ? [String(item.photoKey)] : []))
      .sort();
    t.equal(photoKeys.length, 20);
    t.same(await objectKeys(standins, names.photosBucket), photoKeys, 'no stray photo objects');
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
