// `migrate:flask` in-process against the real stand-ins: items in exactly the Flask sample's
// shape, the odd ones it allowed, a second run, a dry run, and a run stopped part-way then resumed.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import t from 'tap';
import { UpstreamError } from '../../packages/api/src/errors.js';
import type { FlaskMigrationOptions } from '../../packages/api/src/migrate/index.js';
import { DynamoDbEmployeeStore } from '../../packages/api/src/store/dynamodb-employee-store.js';
import { dynamoDbClientConfig } from '../support/local-aws.js';
import { assertMigratedOnce, putOddItems, runMigration, T0 } from './migrate-flask-fixtures.js';
import {
  freshNames,
  type Names,
  objectKeys,
  putPlainItems,
  scanAll,
  startFlaskStandins,
} from './migrate-flask-harness.js';

const standins = await startFlaskStandins({ engine: 'auto' });
t.teardown(() => standins.stop());

const run = (
  names: Names,
  options: Partial<FlaskMigrationOptions> & { nowMs?: number } = {},
  wrap?: Parameters<typeof runMigration>[3],
) => runMigration(standins, names, options, wrap);

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
  const found = await new DynamoDbEmployeeStore(client, names.tableName).search({
    q: 'lovel',
    limit: 10,
  });
  t.same(
    found.items.map((e) => e.fullName),
    ['Ada Lovelace'],
    'migrated employees are searchable (their hint items were written too)',
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

    await assertMigratedOnce(t, standins, names, {
      ids: plain,
      photos: 8,
      objectsMessage:
        'every object belongs to an item: the re-done upload replaced the first, no duplicate',
    });
  },
);
