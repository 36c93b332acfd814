import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { createAwsClients } from '../store/aws-clients.js';
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
  const { dynamoDb, s3 } = createAwsClients({
    ...config,
    maxAttempts: 5,
    ...(options.credentials ? { credentials: options.credentials } : {}),
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
