import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

// Wiring and signals only: everything else lives in the modules.
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`empdir-api: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

const server = await startServer(config).catch((error: unknown) => {
  console.error('empdir-api: could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    signals += 1;
    // A second signal means "now": skip the grace period.
    if (signals > 1) process.exit(1);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('empdir-api: shutdown failed:', error);
        process.exit(1);
      },
    );
  });
}
