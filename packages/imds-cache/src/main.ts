#!/usr/bin/env node
// The imds-cache daemon: read the environment once, start, and stop cleanly on SIGTERM/SIGINT.
import { parseConfig } from './config.js';
import { startImdsCache } from './daemon.js';
import { ConfigError } from './errors.js';
import { createLogger } from './log.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`imds-cache: ${error.message}`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel });
  const daemon = await startImdsCache(config, { logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    daemon.close().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('imds-cache: failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
