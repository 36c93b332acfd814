// DynamoDB stand-ins for tests and the local stack, each in a child process on 127.0.0.1.
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { standinEnv, startChild } from './child-process.js';
import { isDynamoDbLocalAvailable } from './dynamodb-local-command.js';

/**
 * @typedef {'dynalite' | 'dynamodb-local'} DynamoDbEngine
 * @typedef {{ engine?: DynamoDbEngine | 'auto', dataDir?: string, startTimeoutMs?: number }}
 *   StartDynamoDbOptions
 * `pid` is the stand-in's process group (see child-process.js).
 * @typedef {{ engine: DynamoDbEngine, endpoint: string, region: string, pid: number,
 *   stop: () => Promise<void> }} DynamoDbStandin
 */

const ENGINES = /** @type {const} */ (['dynalite', 'dynamodb-local']);

/**
 * The engines this machine can run: DynamoDB Local needs java.
 * @returns {DynamoDbEngine[]}
 */
export function dynamoDbEngines() {
  return isDynamoDbLocalAvailable() ? [...ENGINES] : ['dynalite'];
}

/**
 * 'auto' means DynamoDB Local when java is here, else dynalite; STANDIN_DYNAMODB overrides it.
 * @param {DynamoDbEngine | 'auto'} engine
 * @returns {DynamoDbEngine}
 */
export function resolveDynamoDbEngine(engine) {
  if (engine !== 'auto') return engine;
  const override = process.env.STANDIN_DYNAMODB;
  if (override !== undefined && override !== '') {
    if (!ENGINES.includes(/** @type {DynamoDbEngine} */ (override))) {
      throw new Error(`STANDIN_DYNAMODB must be one of ${ENGINES.join(', ')}, got "${override}"`);
    }
    return /** @type {DynamoDbEngine} */ (override);
  }
  return isDynamoDbLocalAvailable() ? 'dynamodb-local' : 'dynalite';
}

/**
 * Starts a DynamoDB stand-in; `dataDir` persists tables there, otherwise they live in memory.
 * dynalite has no transactions (TransactWriteItems); DynamoDB Local is the official emulator.
 * @param {StartDynamoDbOptions} [options]
 * @returns {Promise<DynamoDbStandin>}
 */
export async function startDynamoDb(options = {}) {
  const engine = resolveDynamoDbEngine(options.engine ?? 'auto');
  if (engine === 'dynamodb-local' && !isDynamoDbLocalAvailable()) {
    throw new Error('DynamoDB Local needs java on PATH and amplify-dynamodb-simulator installed');
  }
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const script = engine === 'dynalite' ? 'dynalite-main.js' : 'dynamodb-local-main.js';
  const dataArgs = options.dataDir
    ? [engine === 'dynalite' ? '--path' : '--db-path', options.dataDir]
    : [];
  const child = await startChild({
    name: engine,
    command: process.execPath,
    args: [fileURLToPath(new URL(script, import.meta.url)), ...dataArgs],
    env: standinEnv(),
    startTimeoutMs: options.startTimeoutMs ?? (engine === 'dynalite' ? 15_000 : 90_000),
    stopGraceMs: 8_000,
  });
  return {
    engine,
    endpoint: child.value.url,
    region: 'us-east-1',
    pid: child.pid,
    stop: child.stop,
  };
}
