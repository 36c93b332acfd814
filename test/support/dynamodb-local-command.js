import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** @type {boolean | undefined} */
let javaChecked;

/** Where amplify-dynamodb-simulator ships the DynamoDB Local jar and its native SQLite libraries. */
export function emulatorDir() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator')), 'emulator');
}

/** True when `java` runs and the DynamoDB Local jar is installed (checked once per process). */
export function isDynamoDbLocalAvailable() {
  if (javaChecked === undefined) {
    const probe = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 15_000 });
    javaChecked = probe.status === 0 && existsSync(join(emulatorDir(), 'DynamoDBLocal.jar'));
  }
  return javaChecked;
}

/**
 * The java command line for DynamoDB Local on `port`.
 * @param {{ port: number, dbPath?: string }} options
 * @returns {{ command: string, args: string[], cwd: string }}
 */
export function dynamoDbLocalCommand({ port, dbPath }) {
  const dir = emulatorDir();
  const jvm = [
    // Fewer GC threads on small CI machines; the data set is tiny.
    '-XX:+UseSerialGC',
    // C1 only: about half a second faster to start, which matters more for tests than peak speed.
    ...(dbPath ? [] : ['-XX:TieredStopAtLevel=1']),
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
  ];
  const local = [
    '-port',
    String(port),
    // Without -sharedDb, DynamoDB Local keeps a separate set of tables per access key id and
    // region, so a client with other credentials would not see the tables we created.
    '-sharedDb',
    // Telemetry would phone home; tests stay on loopback.
    '-disableTelemetry',
    ...(dbPath ? ['-dbPath', dbPath] : ['-inMemory']),
  ];
  // DynamoDB Local 1.25 has no host/bind option (see `-help`): Jetty listens on every interface.
  // We only ever connect to it through 127.0.0.1.
  return {
    command: 'java',
    args: [...jvm, '-jar', join(dir, 'DynamoDBLocal.jar'), ...local],
    cwd: dir,
  };
}
