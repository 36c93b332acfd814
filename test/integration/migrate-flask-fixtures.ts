// Old-shape items for the migration tests, and a migration run in-process. Not a test file itself.
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import {
  createMigrationDeps,
  type FlaskMigrationOptions,
  migrateFlask,
} from '../../packages/api/src/migrate/index.js';
import { localAwsCredentials } from '../support/local-aws.js';
import {
  type FlaskStandins,
  migrateConfig,
  type Names,
  objectKeys,
  oldPhotoKey,
  pngPhoto,
  putOldItem,
  scanAll,
} from './migrate-flask-harness.js';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** One migration through the real SDK against the stand-ins; `wrap` may replace a dependency. */
export async function runMigration(
  standins: FlaskStandins,
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
export async function putOddItems(s: FlaskStandins, names: Names) {
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

/**
 * After a run that was stopped and resumed: each of `ids` stored exactly once, `photos` of them
 * with a photo, and every object in the bucket one an item points to.
 */
export async function assertMigratedOnce(
  t: Test,
  standins: FlaskStandins,
  names: Names,
  expected: { ids: readonly string[]; photos: number; objectsMessage: string },
) {
  const items = await scanAll(standins, names.tableName);
  t.same(
    items.map((item) => item.id),
    [...expected.ids].sort(),
    'every employee exactly once',
  );
  const photoKeys = items.flatMap((item) => (item.photoKey ? [String(item.photoKey)] : [])).sort();
  t.equal(photoKeys.length, expected.photos);
  t.same(await objectKeys(standins, names.photosBucket), photoKeys, expected.objectsMessage);
}
