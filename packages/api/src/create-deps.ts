import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { AppDeps } from './app-deps.js';
import { createOidcClient } from './auth/oidc-client.js';
import type { ApiConfig } from './config.js';
import { createInstanceInfoSource } from './info/instance-info.js';
import { createLogger } from './log.js';
import { serviceDeps } from './service-deps.js';
import { createAwsClients } from './store/aws-clients.js';
import { DynamoDbEmployeeStore } from './store/dynamodb-employee-store.js';
import { S3PhotoStore } from './store/s3-photo-store.js';
import { createWorkerCpuStress, unavailableCpuStress } from './stress/cpu-stress.js';

export interface CreateDepsOptions {
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Tests against local stand-ins pass fixed credentials; in AWS the default chain is used. */
  readonly credentials?: DynamoDBClientConfig['credentials'];
}

/** The real dependencies, plus the SDK clients (for tests) and a close() for shutdown. */
export interface RealDeps extends AppDeps {
  readonly aws: { readonly dynamoDb: DynamoDBClient; readonly s3: S3Client };
  beginShutdown(): void;
  close(): Promise<void>;
}

/**
 * Drops the SDK's logger middleware: we give the SDK no logger, yet the middleware still builds
 * a redacted copy of every input and output (a walk over each item) for its no-op logger.
 */
function withoutSdkLogging(client: DynamoDBClient | S3Client): void {
  client.middlewareStack.remove('loggerMiddleware');
}

/** Builds each SDK client once, at start-up; requests only ever reuse them. */
export function createDeps(config: ApiConfig, options: CreateDepsOptions = {}): RealDeps {
  const logger = options.logger ?? createLogger(config.logLevel);
  const now = options.now ?? Date.now;
  if (config.sessionSecretGenerated) {
    // Each process (or Lambda execution environment) would sign forms the others refuse.
    logger.warn(
      'SESSION_SECRET is not set: using a random one. Forms fail across instances and restarts; set SESSION_SECRET when running more than one instance.',
    );
  }
  const { dynamoDb, s3 } = createAwsClients({
    ...config,
    maxAttempts: 3,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  withoutSdkLogging(dynamoDb);
  withoutSdkLogging(s3);
  const employees = new DynamoDbEmployeeStore(dynamoDb, config.tableName, logger);
  const photos = new S3PhotoStore(s3, {
    bucket: config.photosBucket,
    region: config.region,
    endpoint: config.s3Endpoint,
    urlTtlSeconds: config.photoUrlTtlSeconds,
    now,
  });
  let shuttingDown = false;
  const stress = config.lambdaFunctionName
    ? unavailableCpuStress
    : createWorkerCpuStress({ now, logger });
  return {
    ...serviceDeps({ config, logger, now, employees, photos }),
    instanceInfo: createInstanceInfoSource({
      ...config.instanceInfo,
      lambdaFunctionName: config.lambdaFunctionName,
      now,
      logger,
    }),
    stress,
    oidc: createOidcClient(config.oidc),
    isShuttingDown: () => shuttingDown,
    aws: { dynamoDb, s3 },
    beginShutdown() {
      shuttingDown = true;
    },
    async close() {
      shuttingDown = true;
      await stress.stop();
      dynamoDb.destroy();
      s3.destroy();
    },
  };
}
