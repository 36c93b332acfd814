#!/usr/bin/env node
// The imds-cache daemon: read the environment once, start, rotate the token on SIGHUP, and stop
// cleanly on SIGTERM/SIGINT. `imds-cache rotate-token` and `imds-cache wait-ready [PID]` are
// commands for operators and systemd (see cli-commands.ts).
import { rotateTokenCommand, waitReadyCommand } from './cli-commands.js';
import { type ImdsCacheConfig, parseConfig } from './config.js';
import { startImdsCache } from './daemon.js';
import { DaemonLockedError } from './daemon-lock.js';
import { ConfigError } from './errors.js';
import { AddressInUseError } from './http-listener.js';
import { createLogger } from './log.js';

async function main(): Promise<void> {
  let config: ImdsCacheConfig;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`imds-cache: ${error.message}`);
    process.exit(2);
  }
  const [command, arg] = process.argv.slice(2);
  if (command === 'rotate-token' || command === 'wait-ready') {
    const pid = arg === undefined ? undefined : Number(arg);
    const result =
      command === 'rotate-token'
        ? await rotateTokenCommand(config)
        : await waitReadyCommand(config, pid);
    (result.code === 0 ? console.log : console.error)(`imds-cache: ${result.message}`);
    process.exit(result.code);
  }
  if (command !== undefined) {
    console.error(`imds-cache: unknown command "${command}" (rotate-token, wait-ready [PID])`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel });
  // SIGHUP rotates the token; it never terminates, not even while the daemon is still starting.
  let rotate = () => logger.warn('SIGHUP before the token was in place: ignored');
  process.on('SIGHUP', () => rotate());
  const daemon = await startImdsCache(config, { logger }).catch((error: unknown) => {
    // A second daemon for the same token file: stop without having changed anything.
    if (
      error instanceof DaemonLockedError ||
      error instanceof AddressInUseError ||
      error instanceof ConfigError
    ) {
      console.error(`imds-cache: ${error.message}`);
      process.exit(2);
    }
    throw error;
  });
  rotate = () => void daemon.rotateToken();
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
