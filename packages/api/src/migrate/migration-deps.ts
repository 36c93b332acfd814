import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbEmployeeStore } from '../store/dynamodb-employee-store.js';
import { S3PhotoStore } from '../store/s3-photo-store.js';
import type { FlaskMigrationDeps } from './flask-migration.js';
import { createFlaskSource } from './flask-source.js';
import type { MigrateConfig } from './migrate-config.js';

export interface MigrationDeps extends FlaskMigrationDeps {
  /** Throws when either table or either bucket cannot be reached. */
  checkReady(): Promise<void>;
  close(): void;
}

/** The SDK clients and the API's own stores, built the way the API builds them. */
export function createMigrationDeps(
  config: MigrateConfig,
  options: { credentials?: DynamoDBClientConfig['credentials']; now?: () => number } = {},
): MigrationDeps {
  const now = options.now ?? Date.now;
  const common = {
    region: config.region,
    maxAttempts: 5,
    requestHandler: {
      connectionTimeout: Math.min(1_000, config.awsTimeoutMs),
      requestTimeout: config.awsTimeoutMs,
    },
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const dynamoDb = new DynamoDBClient({
    ...common,
    ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
  });
  const s3 = new S3Client({
    ...common,
    // s3rver and other local stand-ins need path-style URLs and no flexible checksums.
    ...(config.s3Endpoint
      ? {
          endpoint: config.s3Endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
  const employees = new DynamoDbEmployeeStore(dynamoDb, config.tableName);
  const photos = new S3PhotoStore(s3, {
    bucket: config.photosBucket,
    region: config.region,
    endpoint: config.s3Endpoint,
    urlTtlSeconds: 900,
    now,
  });
  const source = createFlaskSource(dynamoDb, s3, {
    table: config.fromTable,
    bucket: config.fromBucket,
  });
  return {
    source,
    employees,
    photos,
    now,
    async checkReady() {
      await Promise.all([source.checkReady(), employees.checkReady(), photos.checkReady()]);
    },
    close() {
      dynamoDb.destroy();
      s3.destroy();
    },
  };
}
