// Old Flask-sample data in the stand-ins, and the migration's configuration against them.
// Not a test file itself.
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { loadMigrateConfig, type MigrateConfig } from '../../packages/api/src/migrate/index.js';
import { EMPLOYEE_TABLE } from '../../packages/shared/dist/index.js';
import { type DynamoDbEngine, type DynamoDbStandin, startDynamoDb } from '../support/dynamodb.js';
import {
  createBucketIfMissing,
  createTableIfMissing,
  dynamoDbClientConfig,
  s3ClientConfig,
} from '../support/local-aws.js';
import { type S3Standin, startS3 } from '../support/s3.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export interface FlaskStandins {
  readonly ddb: DynamoDbStandin;
  readonly s3: S3Standin;
  readonly doc: DynamoDBDocumentClient;
  readonly s3Client: S3Client;
  stop(): Promise<void>;
}

/** dynalite unless told: the migration's own tests run on DynamoDB Local, the command's on dynalite. */
export async function startFlaskStandins(
  options: { engine?: DynamoDbEngine | 'auto' } = {},
): Promise<FlaskStandins> {
  const [ddb, s3] = await Promise.all([
    startDynamoDb({ engine: options.engine ?? 'dynalite' }),
    startS3(),
  ]);
  const dynamoDb = new DynamoDBClient(dynamoDbClientConfig(ddb));
  const s3Client = new S3Client(s3ClientConfig(s3));
  return {
    ddb,
    s3,
    doc: DynamoDBDocumentClient.from(dynamoDb),
    s3Client,
    async stop() {
      dynamoDb.destroy();
      s3Client.destroy();
      await Promise.all([ddb.stop(), s3.stop()]);
    },
  };
}

/** Fresh old and new tables and buckets for one test: no state shared between tests. */
export async function freshNames(standins: FlaskStandins) {
  const tag = randomBytes(4).toString('hex');
  const names = {
    fromTable: `Employees-${tag}`,
    fromBucket: `flask-photos-${tag}`,
    tableName: `empdir-${tag}`,
    photosBucket: `empdir-photos-${tag}`,
  };
  await standins.doc.send(
    new CreateTableCommand({
      // The original's table: key `id` and nothing else.
      TableName: names.fromTable,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await Promise.all([
    createTableIfMissing(dynamoDbClientConfig(standins.ddb), names.tableName),
    createBucketIfMissing(s3ClientConfig(standins.s3), names.fromBucket),
    createBucketIfMissing(s3ClientConfig(standins.s3), names.photosBucket),
  ]);
  return names;
}
export type Names = Awaited<ReturnType<typeof freshNames>>;

/** The environment the command reads, as the API's deployment would set it. */
export function migrateEnv(standins: FlaskStandins, names: Names): Record<string, string> {
  return {
    TABLE_NAME: names.tableName,
    PHOTOS_BUCKET: names.photosBucket,
    AWS_REGION: standins.ddb.region,
    DYNAMODB_ENDPOINT: standins.ddb.endpoint,
    S3_ENDPOINT: standins.s3.endpoint,
    AWS_TIMEOUT_MS: '5000',
  };
}

export function migrateConfig(
  standins: FlaskStandins,
  names: Names,
  args: string[] = [],
): MigrateConfig {
  return loadMigrateConfig(migrateEnv(standins, names), [
    '--from-table',
    names.fromTable,
    '--from-bucket',
    names.fromBucket,
    ...args,
  ]);
}

export const oldPhotoKey = () => `employee_pic/${randomBytes(16).toString('hex')}.png`;

export async function pngPhoto(width = 200, height = 150): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: '#36c' } })
      .png()
      .toBuffer(),
  );
}

/** Writes an item exactly as given, as the Flask sample's boto3 put_item did. */
export async function putOldItem(
  standins: FlaskStandins,
  names: Names,
  item: Record<string, unknown>,
  photo?: Uint8Array,
): Promise<void> {
  await standins.doc.send(new PutCommand({ TableName: names.fromTable, Item: item }));
  if (photo && typeof item.object_key === 'string') {
    await standins.s3Client.send(
      new PutObjectCommand({ Bucket: names.fromBucket, Key: item.object_key, Body: photo }),
    );
  }
}

/** `count` ordinary old employees, every other one with a photo. */
export async function putPlainItems(
  standins: FlaskStandins,
  names: Names,
  count: number,
): Promise<string[]> {
  const photo = await pngPhoto();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    ids.push(id);
    const withPhoto = i % 2 === 0;
    await putOldItem(
      standins,
      names,
      {
        id,
        full_name: `Person ${i}`,
        job_title: 'Engineer',
        location: 'Seattle',
        ...(i % 3 === 0 ? { badges: ['linux', 'coffee'] } : {}),
        ...(withPhoto ? { object_key: oldPhotoKey() } : {}),
      },
      withPhoto ? photo : undefined,
    );
  }
  return ids;
}

export async function scanAll(
  standins: FlaskStandins,
  table: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await standins.doc.send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  // Search hint items are the index's, not employees: see packages/api/src/store/search-hints.ts.
  return items
    .filter((item) => !(EMPLOYEE_TABLE.search.employeeIdAttribute in item))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

export async function objectKeys(standins: FlaskStandins, bucket: string): Promise<string[]> {
  const out = await standins.s3Client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}
