import t from 'tap';
import { loadMigrateConfig, MigrateConfigError } from './migrate-config.js';

const env = {
  TABLE_NAME: 'empdir-employees',
  PHOTOS_BUCKET: 'empdir-photos',
  AWS_REGION: 'eu-west-1',
};
const args = ['--from-table', 'Employees', '--from-bucket', 'flask-photos'];

t.test('the API environment names plus the command line, with defaults', async (t) => {
  const config = loadMigrateConfig({ ...env, DYNAMODB_ENDPOINT: '', OIDC_ISSUER: 'ignored' }, args);
  t.match(config, {
    tableName: 'empdir-employees',
    photosBucket: 'empdir-photos',
    region: 'eu-west-1',
    dynamoDbEndpoint: undefined,
    awsTimeoutMs: 3000,
    fromTable: 'Employees',
    fromBucket: 'flask-photos',
    dryRun: false,
    segments: 4,
    limit: undefined,
  });
  t.ok(Object.isFrozen(config));
  t.match(loadMigrateConfig(env, [...args, '--dry-run', '--segments', '8', '--limit', '10']), {
    dryRun: true,
    segments: 8,
    limit: 10,
  });
});

t.test('every bad key and argument is listed at once', async (t) => {
  const error = t.throws(() =>
    loadMigrateConfig({ PHOTOS_BUCKET: 'B', AWS_REGION: 'x', AWS_TIMEOUT_MS: '1e3' }, [
      '--from-bucket',
      'flask-photos',
      '--segments',
      '0',
      '--dry-run=no',
      '--bogus',
    ]),
  ) as MigrateConfigError;
  t.type(error, MigrateConfigError);
  const keys = error.issues.map((issue) => issue.split(':')[0]);
  t.same(keys.sort(), [
    '--bogus',
    '--dry-run',
    '--from-table',
    '--segments',
    'AWS_REGION',
    'AWS_TIMEOUT_MS',
    'PHOTOS_BUCKET',
    'TABLE_NAME',
  ]);
});

t.test('refuses to read from the table it writes to', async (t) => {
  const error = t.throws(() =>
    loadMigrateConfig(env, ['--from-table', 'empdir-employees', '--from-bucket', 'flask-photos']),
  ) as MigrateConfigError;
  t.match(error.issues, [/^--from-table: must not be TABLE_NAME/]);
});
