// AWS SDK settings and provisioning for the local stand-ins (s3rver, dynalite, DynamoDB Local).
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
// The root package does not depend on @empdir/shared, so the built package is imported by path.
import { EMPLOYEE_TABLE } from '../../packages/shared/dist/index.js';

/**
 * @typedef {{ endpoint: string, region: string }} LocalEndpoint
 * @typedef {{ accessKeyId: string, secretAccessKey: string }} LocalCredentials
 * @typedef {{ endpoint: string, region: string, credentials: LocalCredentials }}
 *   DynamoDbLocalConfig
 * @typedef {DynamoDbLocalConfig & { forcePathStyle: true,
 *   requestChecksumCalculation: 'WHEN_REQUIRED',
 *   responseChecksumValidation: 'WHEN_REQUIRED' }} S3LocalConfig
 */

/**
 * The one key pair s3rver accepts (it checks the id, not the signature). DynamoDB Local with
 * -sharedDb and dynalite take any key, so every stand-in can share it.
 * @returns {LocalCredentials}
 */
export function localAwsCredentials() {
  // s3rver's built-in dummy account, nothing like an AWS key, so secret scanners stay quiet.
  return { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
}

/**
 * S3 client settings for a local endpoint only: path-style, and checksums only when an operation
 * requires them, because s3rver mangles the aws-chunked bodies the SDK sends by default.
 * @param {LocalEndpoint} s3
 * @returns {S3LocalConfig}
 */
export function s3ClientConfig(s3) {
  return {
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: localAwsCredentials(),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/**
 * @param {LocalEndpoint} ddb
 * @returns {DynamoDbLocalConfig}
 */
export function dynamoDbClientConfig(ddb) {
  return { endpoint: ddb.endpoint, region: ddb.region, credentials: localAwsCredentials() };
}

/**
 * The Employees table as @empdir/shared describes it: `id` key, `byName` index over everyone.
 * @param {string} tableName
 * @returns {import('@aws-sdk/client-dynamodb').CreateTableCommandInput}
 */
export function employeeTableInput(tableName) {
  const index = EMPLOYEE_TABLE.byNameIndex;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: EMPLOYEE_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: index.partitionKey, AttributeType: 'S' },
      { AttributeName: index.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: EMPLOYEE_TABLE.partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/**
 * Creates the Employees table unless it exists, and waits until it is ACTIVE.
 * @param {DynamoDbLocalConfig} config
 * @param {string} tableName
 */
export async function createTableIfMissing(config, tableName) {
  const client = new DynamoDBClient(config);
  try {
    const exists = await client.send(new DescribeTableCommand({ TableName: tableName })).then(
      () => true,
      (error) => (nameOf(error) === 'ResourceNotFoundException' ? false : Promise.reject(error)),
    );
    if (!exists) {
      await client.send(new CreateTableCommand(employeeTableInput(tableName))).catch((error) => {
        // Someone else created it between our describe and create: that is what we wanted.
        if (nameOf(error) !== 'ResourceInUseException') throw error;
      });
    }
    // The first check runs at once; both stand-ins report ACTIVE without delay.
    await waitUntilTableExists(
      { client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
      { TableName: tableName },
    );
  } finally {
    client.destroy();
  }
}

/**
 * Creates the bucket unless it exists.
 * @param {S3LocalConfig} config
 * @param {string} bucket
 */
export async function createBucketIfMissing(config, bucket) {
  const client = new S3Client(config);
  try {
    const exists = await client.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      (error) => (isNotFound(error) ? false : Promise.reject(error)),
    );
    if (exists) return;
    await client.send(new CreateBucketCommand({ Bucket: bucket })).catch((error) => {
      if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes(nameOf(error))) throw error;
    });
  } finally {
    client.destroy();
  }
}

/** @param {unknown} error */
function nameOf(error) {
  return error instanceof Error ? error.name : '';
}

/** @param {unknown} error HeadBucket has no body, so a missing bucket is a bare 404. */
function isNotFound(error) {
  const status = /** @type {{ $metadata?: { httpStatusCode?: number } }} */ (error)?.$metadata
    ?.httpStatusCode;
  return nameOf(error) === 'NotFound' || nameOf(error) === 'NoSuchBucket' || status === 404;
}
