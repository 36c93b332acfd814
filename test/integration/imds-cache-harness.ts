// Starts the imds-cache daemon in-process against the IMDSv2 simulator, both on one injected
// clock, with the daemon's JSON log captured. Shared by the imds-cache-*.test.ts files.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { parseConfig } from '../../packages/imds-cache/src/config.js';
import type { RefreshOutcome } from '../../packages/imds-cache/src/credential-cache.js';
import { type ImdsCacheHandle, startImdsCache } from '../../packages/imds-cache/src/daemon.js';
import { FakeClock } from '../../packages/imds-cache/src/fake-clock.js';
import { httpTransport, type ImdsTransport } from '../../packages/imds-cache/src/imds-transport.js';
import { createLogger } from '../../packages/imds-cache/src/log.js';
import { type ImdsSimulatorOptions, startImdsSimulator } from '../support/imds-simulator.js';

const ROLE_PATH = '/latest/meta-data/iam/security-credentials/';

export interface StackOptions {
  readonly env?: Record<string, string>;
  readonly sim?: ImdsSimulatorOptions;
  /** Wait for the warm-up refresh before returning (default true). */
  readonly warm?: boolean;
  /** Runs before the daemon starts (e.g. to set a simulator fault the warm-up will meet). */
  readonly beforeStart?: (sim: Awaited<ReturnType<typeof startImdsSimulator>>) => void;
  /** The daemon's jitter source (default Math.random). */
  readonly random?: () => number;
  /** Hold every credentials fetch until `releaseCredentials()` (the simulator still answers it). */
  readonly holdCredentials?: boolean;
}

export type Stack = Awaited<ReturnType<typeof startStack>>;

export async function startStack(t: Test, options: StackOptions = {}) {
  // Sleeps (backoff, the rate ceiling) move the clock at once: no real waiting anywhere.
  const startMs = Date.now();
  const clock = new FakeClock({ startMs, autoAdvanceSleeps: true });
  const sim = await startImdsSimulator({ now: clock.now, ...options.sim });
  const dir = await mkdtemp(join(tmpdir(), 'imds-cache-it-'));
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'trace',
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const config = parseConfig({
    IMDS_CACHE_IMDS_ENDPOINT: sim.url,
    IMDS_CACHE_LISTEN: '127.0.0.1:0',
    IMDS_CACHE_OPS_LISTEN: '127.0.0.1:0',
    IMDS_CACHE_TOKEN_FILE: join(dir, 'run', 'token'),
    ...options.env,
  });
  const outcomes: RefreshOutcome[] = [];
  const waiters: Array<(outcome: RefreshOutcome) => void> = [];
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const real = httpTransport({ endpoint: config.imdsEndpoint, timeoutMs: config.imdsTimeoutMs });
  const transport: ImdsTransport = async (request) => {
    if (request.path.startsWith(`${ROLE_PATH}`) && request.path !== ROLE_PATH) await held;
    return real(request);
  };
  options.beforeStart?.(sim);
  const daemon: ImdsCacheHandle = await startImdsCache(config, {
    clock,
    logger,
    ...(options.random ? { random: options.random } : {}),
    ...(options.holdCredentials ? { transport } : {}),
  });
  daemon.cache.onRefresh((outcome) => {
    outcomes.push(outcome);
    for (const waiter of waiters.splice(0)) waiter(outcome);
  });
  t.teardown(async () => {
    await daemon.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });
  const token = await readFile(daemon.tokenFile, 'utf8');
  /** The next refresh outcome (subscribe before moving the clock). */
  const nextOutcome = () => new Promise<RefreshOutcome>((resolve) => waiters.push(resolve));
  if (options.warm ?? true) await daemon.warm;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${daemon.url}${path}`, { headers: { Authorization: token, ...headers } });
  const credentials = async () => {
    const response = await get('/v1/credentials');
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };
  /** Moves the clock to the scheduler's next refresh and waits for its outcome. */
  const runNextRefresh = async () => {
    // A refresh already in flight (a caller or a timer started it) settles first and re-arms.
    if (daemon.scheduler.nextRefreshAtMs() === undefined) await nextOutcome();
    const atMs = daemon.scheduler.nextRefreshAtMs();
    if (atMs === undefined) throw new Error('no refresh armed');
    const outcome = nextOutcome();
    clock.advanceTo(Math.max(atMs, clock.now()));
    return outcome;
  };
  return {
    /** The clock's time when the stack was created, before the daemon made any request. */
    startMs,
    clock,
    sim,
    daemon,
    config,
    dir,
    token,
    logLines,
    outcomes,
    nextOutcome,
    runNextRefresh,
    get,
    credentials,
    releaseCredentials: () => release(),
  };
}

/** A counter's value from the daemon's registry, by labels. */
export async function metricValue(
  stack: Pick<Stack, 'daemon'>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = stack.daemon.metrics.registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

/** Waits (event-loop turns, no timer) until `condition` holds; gives up after `limitMs` real ms. */
export async function until(condition: () => boolean | Promise<boolean>, limitMs = 30_000) {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not reached');
}
