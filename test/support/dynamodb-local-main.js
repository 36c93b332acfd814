// Child entry that owns one DynamoDB Local JVM: `node test/support/dynamodb-local-main.js
// [--db-path DIR] [--first-port N]`. It picks a free port (N first: tests use it to prove the
// retry), starts java, prints `{"url": ...}` once DynamoDB answers there, and takes the JVM down
// with it when its own stdin pipe closes or it is signalled.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { dynamoDbLocalCommand } from './dynamodb-local-command.js';
import { freeLoopbackPort } from './free-port.js';
import { exitWithParent } from './lifeline.js';

const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 60_000;
const PROBE_INTERVAL_MS = 50;

const { values } = parseArgs({
  options: { 'db-path': { type: 'string' }, 'first-port': { type: 'string' } },
});
/** @type {import('node:child_process').ChildProcess | undefined} */
let java;
let stopping = false;

exitWithParent(stopJava, { cleanupTimeoutMs: 5_000 });

for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
  const port =
    attempt === 1 && values['first-port'] ? Number(values['first-port']) : await freeLoopbackPort();
  const outcome = await startJava(port);
  if (outcome === 'ready') {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
    break;
  }
  // The port we freed was taken before the JVM bound it: try another one. (Were it taken by
  // another DynamoDB Local, the probe could not tell; ports are random, so that is unlikely.)
  if (outcome === 'port-taken' && attempt < START_ATTEMPTS) continue;
  console.error(`DynamoDB Local did not start: ${outcome}`);
  process.exit(1);
}

/**
 * @param {number} port
 * @returns {Promise<'ready' | 'port-taken' | string>}
 */
async function startJava(port) {
  const { command, args, cwd } = dynamoDbLocalCommand({ port, dbPath: values['db-path'] });
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  java = child;
  let output = '';
  /** @type {Promise<string>} */
  const died = new Promise((resolve) => {
    const collect = (/** @type {Buffer} */ chunk) => {
      output = (output + chunk.toString('utf8')).slice(-8_000);
      // The JVM does not exit when Jetty cannot bind: its other threads keep it alive.
      if (/Failed to bind|BindException/.test(output)) resolve('port-taken');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error) => resolve(`cannot run java: ${error.message}`));
    child.once('exit', (code) => resolve(`java exited with code ${code}\n${output}`));
  });
  let started = false;
  let gaveUp = false;
  // After startup, a JVM that dies takes this wrapper down too, so the parent sees it.
  void died.then(() => {
    if (java === child && started && !stopping) {
      console.error(`DynamoDB Local exited unexpectedly\n${output}`);
      process.exit(1);
    }
  });
  const deadlineMs = Date.now() + READY_TIMEOUT_MS;
  // The JVM prints its banner before Jetty binds, so readiness is DynamoDB answering HTTP.
  const ready = (async () => {
    while (!gaveUp && Date.now() < deadlineMs) {
      if (await answersAsDynamoDb(port)) return 'ready';
      await sleep(PROBE_INTERVAL_MS);
    }
    return `not answering after ${READY_TIMEOUT_MS} ms\n${output}`;
  })();
  const outcome = await Promise.race([died, ready]);
  if (outcome === 'ready') started = true;
  else {
    gaveUp = true;
    child.kill('SIGKILL');
  }
  return outcome;
}

/**
 * An unsigned GET gets DynamoDB's 400 with a request id; anything else on the port is not ours.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function answersAsDynamoDb(port) {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/', timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.headers['x-amzn-requestid'] !== undefined);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(false));
  });
}

async function stopJava() {
  stopping = true;
  const child = java;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const outcome = await Promise.race([exited, sleep(3_000, 'timeout')]);
  if (outcome === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
