import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/** What the DynamoDB and S3 clients are built from: the API's and the migration's settings alike. */
export interface AwsClientSettings {
  readonly region: string;
  readonly awsTimeoutMs: number;
  readonly dynamoDbEndpoint: string | undefined;
  readonly s3Endpoint: string | undefined;
  readonly maxAttempts: number;
  /** Tests against local stand-ins pass fixed credentials; in AWS the default chain is used. */
  readonly credentials?: DynamoDBClientConfig['credentials'];
}

/** One DynamoDB and one S3 client, with per-attempt timeouts and the stand-ins' quirks. */
export function createAwsClients(settings: AwsClientSettings): {
  dynamoDb: DynamoDBClient;
  s3: S3Client;
} {
  const common = {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    requestHandler: {
      connectionTimeout: Math.min(1_000, settings.awsTimeoutMs),
      requestTimeout: settings.awsTimeoutMs,
      // Without it the SDK only logs a warning and waits forever on an upstream that never answers.
      throwOnRequestTimeout: true,
    },
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  };
  const dynamoDb = new DynamoDBClient({
    ...common,
    ...(settings.dynamoDbEndpoint ? { endpoint: settings.dynamoDbEndpoint } : {}),
  });
  const s3 = new S3Client({
    ...common,
    // s3rver and other local stand-ins need path-style URLs and no flexible checksums.
    ...(settings.s3Endpoint
      ? {
          endpoint: settings.s3Endpoint,
          forcePathStyle: true,
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
  return { dynamoDb, s3 };
}
